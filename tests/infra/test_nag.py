"""cdk-nag's AwsSolutions pack over the whole app, through CDK's Validations API (cdk-nag v3)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks

from tests.infra.assembly import Assembly, synthesize

pytestmark = pytest.mark.infra

ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY


@pytest.fixture(scope="module")
def portal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portal with one page, so the portal's bucket deployment is checked whether or not
    ``portal/`` has files yet."""
    directory = tmp_path_factory.mktemp("portal")
    (directory / "index.html").write_text("<!doctype html><title>AgentGate</title>")
    return directory


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory, portal_dir: Path) -> Assembly:
    return synthesize(tmp_path_factory.mktemp("cdk.out"), nag=True, context={"portalDir": str(portal_dir)})


def test_the_app_has_no_unacknowledged_aws_solutions_finding(assembly: Assembly) -> None:
    violations = [
        (violation["ruleName"], [c["constructPath"] for c in violation["violatingConstructs"]])
        for report in assembly.validation_report()["pluginReports"]
        for violation in report["violations"]
    ]
    assert assembly.error is None and violations == [], violations


def test_the_checked_app_includes_the_portal_deployment(assembly: Assembly) -> None:
    assert any(r.type == "Custom::CDKBucketDeployment" for r in assembly.resources())


def test_the_portal_is_deployed_with_immutable_assets_and_a_no_cache_index(assembly: Assembly) -> None:
    deployments = {
        r.logical_id: r.properties for r in assembly.resources() if r.type == "Custom::CDKBucketDeployment"
    }
    by_cache = {p["SystemMetadata"]["cache-control"]: p for p in deployments.values()}
    assets = by_cache["public, max-age=31536000, immutable"]
    index = by_cache["no-cache"]
    assert (assets["Exclude"], assets["Prune"]) == (["index.html"], False)
    assert (index["Exclude"], index["Include"]) == (["*"], ["index.html"])
    assert index["DistributionPaths"] == ["/index.html"]
    (index_id,) = [k for k, v in deployments.items() if v is index]
    (assets_id,) = [k for k, v in deployments.items() if v is assets]
    depends = next(r.raw.get("DependsOn", []) for r in assembly.resources() if r.logical_id == index_id)
    assert any(assets_id in d for d in depends)  # the index never names assets not yet uploaded


def test_client_side_routes_are_rewritten_to_index_html_outside_the_api(assembly: Assembly) -> None:
    (distribution,) = assembly.resources("AWS::CloudFront::Distribution")
    default = distribution.properties["DistributionConfig"]["DefaultCacheBehavior"]
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    (function,) = assembly.resources("AWS::CloudFront::Function")
    assert "/index.html" in function.properties["FunctionCode"]
    for behavior in distribution.properties["DistributionConfig"]["CacheBehaviors"]:
        assert "FunctionAssociations" not in behavior, behavior["PathPattern"]


def test_every_acknowledgement_names_one_rule_on_a_resource_with_a_reason(assembly: Assembly) -> None:
    acknowledgements = [
        (construct, rule, reason)
        for construct in assembly.app.node.find_all()
        for entry in construct.node.metadata
        if entry.type == ACKNOWLEDGED
        for rule, reason in entry.data.items()
    ]
    assert acknowledgements
    for construct, rule, reason in acknowledgements:
        where = construct.node.path
        assert not isinstance(construct, cdk.Stage | cdk.Stack), (
            f"{rule} is acknowledged stack-wide at {where}"
        )
        assert rule.startswith("Annotation::AwsSolutions-"), (where, rule)
        assert len(reason.strip()) > 20, (where, rule)


def test_an_unacknowledged_finding_fails_the_synthesis(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Unsafe")
    sqs.Queue(stack, "PlainQueue")  # no dead-letter queue, no TLS enforcement
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="Validation"):
        app.synth()
