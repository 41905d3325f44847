"""The compliance report: per-agent checks, the audit chain, controls with evidence, a 5-minute cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agentgate.models import AuditEntryItem, ComplianceReportItem, CredentialItem, tenant_pk
from agentgate.platform.tenancy import Role
from agentgate.schemas.compliance import SCHEMA_VERSION
from tests.support.api import call
from tests.support.identity import as_role, new_tenant

SKILL = {"id": "triage", "name": "Triage", "description": "Sorts tickets", "tags": ["support"]}
INTERFACE = {"url": "https://agents.acme.test/triage", "protocol_binding": "JSONRPC"}


def _agent(ctx, **body) -> str:
    reply = call("POST", "/api/v1/agents", body={"name": "a", **body}, ctx=ctx)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def _credential(ctx, agent_id: str) -> str:
    reply = call("POST", "/api/v1/agents/{id}/credentials", path_params={"id": agent_id}, body={}, ctx=ctx)
    return reply.json["client_id"]


def _report(ctx):
    return call("GET", "/api/v1/compliance/report", ctx=ctx)


def _control(report: dict, control_id: str) -> dict:
    return next(c for c in report["controls"] if c["id"] == control_id)


def test_the_report_checks_each_agent_and_states_its_schema_version(aws):
    tenant_id, ctx = new_tenant()
    good = _agent(ctx, name="triage", skills=[SKILL], interfaces=[INTERFACE], scopes=["runs:write"])
    assert call("POST", "/api/v1/agents/{id}/publish", path_params={"id": good}, ctx=ctx).status == 200
    _credential(ctx, good)
    broad = _agent(ctx, name="root", scopes=["admin", "agents:control", "runs:write"])
    stale_client = _credential(ctx, broad)
    stale = CredentialItem.get(CredentialItem.pk_for(stale_client), CredentialItem.SK)
    stale.update(actions=[CredentialItem.created_at.set(datetime.now(UTC) - timedelta(days=200))])

    reply = _report(ctx)

    assert reply.status == 200, reply.text
    report = reply.json
    assert report["schema_version"] == SCHEMA_VERSION and report["tenant_id"] == tenant_id
    agents = {a["id"]: a for a in report["agents"]}
    assert agents[good]["card_valid"] and agents[good]["did_resolvable"] and agents[good]["least_privilege"]
    assert agents[good]["credentials_rotated_within_days"] == 0 and agents[good]["credentials_within_policy"]
    assert not agents[broad]["card_valid"] and "skills is missing" in agents[broad]["card_problems"]
    assert not agents[broad]["did_resolvable"]  # not published
    assert agents[broad]["credentials_rotated_within_days"] == 200
    assert not agents[broad]["credentials_within_policy"]
    assert agents[broad]["scope_flags"] == ["holds admin", "holds agents:control"]
    assert report["audit_chain"]["valid"] and report["audit_chain"]["entries_checked"] > 0
    assert _control(report, "AG-ID-1")["status"] == "pass"  # the published agent's card is valid
    assert _control(report, "AG-ID-3")["status"] == "fail"
    assert any(broad in e and "200 days" in e for e in _control(report, "AG-ID-3")["evidence"])
    assert _control(report, "AG-AC-1")["status"] == "fail"
    assert _control(report, "AG-FED-1")["status"] == "not_applicable"
    assert _control(report, "AG-AU-1")["status"] == "pass"


def test_a_tampered_audit_chain_fails_its_control(aws):
    tenant_id, ctx = new_tenant()
    _agent(ctx)
    entry = AuditEntryItem.get(tenant_pk(tenant_id), AuditEntryItem.sk_for(1))
    entry.update(actions=[AuditEntryItem.actor.set("user:someone-else")])

    report = _report(ctx).json

    assert report["audit_chain"] == {**report["audit_chain"], "valid": False, "first_bad_entry": 1}
    assert _control(report, "AG-AU-1")["status"] == "fail"


def test_the_report_is_cached_for_five_minutes(aws):
    tenant_id, ctx = new_tenant()
    _agent(ctx)
    first = _report(ctx).json
    _agent(ctx, name="later")

    cached = _report(ctx).json
    item = ComplianceReportItem.get(tenant_pk(tenant_id), ComplianceReportItem.SK)
    item.update(actions=[ComplianceReportItem.generated_at.set(datetime.now(UTC) - timedelta(seconds=301))])
    fresh = _report(ctx).json

    assert cached == first and len(cached["agents"]) == 1
    assert len(fresh["agents"]) == 2 and fresh["generated_at"] > first["generated_at"]


def test_only_admins_read_the_report_and_each_tenant_sees_its_own(aws):
    _, ctx = new_tenant()
    _agent(ctx)
    other_id, other = new_tenant("Other")

    assert _report(as_role(ctx, Role.TEAM_LEAD)).status == 403
    theirs = _report(other).json
    assert theirs["tenant_id"] == other_id and theirs["agents"] == []
