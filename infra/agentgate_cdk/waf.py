"""A WAF web ACL on the API stage: the public ecosystem routes rate-limited per client IP.

Usage plans throttle tenants by the key the authorizer returns; public routes have no key, so
WAF's rate-based rule counts them per source IP instead (``PUBLIC_REQUESTS_PER_IP`` per
5-minute window, over the paths of the routes marked ``ip_throttled``). The local gateway applies
the same average rate with a token bucket per IP.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from agentgate.routes import PUBLIC_REQUESTS_PER_IP, PUBLIC_WINDOW_SECONDS, Route


def path_matches(routes: Iterable[Route]) -> list[tuple[str, str]]:
    """(positional constraint, string) pairs that match the throttled routes' paths and no others'."""
    matches: dict[tuple[str, str], None] = {}
    for route in routes:
        segments = route.path.split("/")
        if "{" in route.path and not segments[-1].startswith("{"):
            matches[("ENDS_WITH", f"/{segments[-1]}")] = None  # .../card, .../did.json
        else:
            matches[("CONTAINS", route.path.split("{", 1)[0].rstrip("/"))] = None
    return list(matches)


def _byte_match(constraint: str, text: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint=constraint,
            search_string=text,
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
        )
    )


def public_rate_limit(
    scope: Construct, stage: apigw.Stage, routes: Iterable[Route], prefix: str
) -> wafv2.CfnWebACL:
    throttled = [route for route in routes if route.ip_throttled]
    statements = [_byte_match(constraint, text) for constraint, text in path_matches(throttled)]
    scope_down = (
        statements[0]
        if len(statements) == 1
        else wafv2.CfnWebACL.StatementProperty(
            or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=statements)
        )
    )
    visibility = wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=f"{prefix}-public-per-ip", sampled_requests_enabled=True
    )
    acl = wafv2.CfnWebACL(
        scope,
        "PublicRateLimit",
        name=f"{prefix}-public-rate-limit",
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=visibility,
        rules=[
            wafv2.CfnWebACL.RuleProperty(
                name="public-routes-per-ip",
                priority=0,
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                            response_code=429,
                            response_headers=[
                                wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value="60")
                            ],
                        )
                    )
                ),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        aggregate_key_type="IP",
                        limit=PUBLIC_REQUESTS_PER_IP,
                        evaluation_window_sec=PUBLIC_WINDOW_SECONDS,
                        scope_down_statement=scope_down,
                    )
                ),
                visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                    cloud_watch_metrics_enabled=True,
                    metric_name=f"{prefix}-public-routes-per-ip",
                    sampled_requests_enabled=True,
                ),
            )
        ],
    )
    wafv2.CfnWebACLAssociation(
        scope, "PublicRateLimitAssociation", resource_arn=stage.stage_arn, web_acl_arn=acl.attr_arn
    )
    return acl
