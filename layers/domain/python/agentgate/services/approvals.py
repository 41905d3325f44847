"""Human approvals, run by the approval state machine (``statemachines/approval.asl.json``).

``start`` records a pending approval and starts an execution named after it. The machine's
first task (``functions/approval_request``) stores its task token and notifies approvers
(``approval.requested``); the wait times out after the policy's timeout, the machine then
escalates once (``approval.escalated``, a second token, the same timeout) and finally expires
the request (``functions/approval_expire``). A decision (``decide``) flips the status once,
by a conditional write, and hands the token back with SendTaskSuccess; the machine's last
task (``functions/approval_record_decision``) writes the decision to the audit chain.

Who may decide: a user (not an API key, not an agent) matched by the approvers of the current
stage (``role:<role>`` = that role or higher, or a user id or e-mail; none given = role:admin;
after escalation the escalation approvers too), who is neither the requesting agent nor the
user who registered it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from agentgate.data.ids import ordered_id
from agentgate.data.tenant import TenantData, system_data, tenant_data
from agentgate.data.transactions import ConditionFailed
from agentgate.models import ApprovalItem
from agentgate.platform.aws import client
from agentgate.platform.errors import Conflict, DependencyUnavailable, Forbidden, NotFound
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from agentgate.schemas.approvals import Approval, ApprovalPage, ApprovalQuery
from agentgate.schemas.policies import ROLE_APPROVER_PREFIX
from agentgate.services import events

DEFAULT_APPROVERS = ("role:admin",)
PENDING, APPROVED, REJECTED, EXPIRED = "pending", "approved", "rejected", "expired"
INITIAL, ESCALATED = "initial", "escalated"
_TOKEN_GONE = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})


def _strings(values: Any) -> list[str]:
    """A pynamodb list of strings as ``list[str]``."""
    return [str(value) for value in values or []]


def to_schema(item: ApprovalItem) -> Approval:
    return Approval(
        id=item.approval_id,
        status=item.status,  # type: ignore[arg-type]
        stage=item.stage,  # type: ignore[arg-type]
        requested_by=item.requested_by,
        action=item.action,
        resource=item.resource,
        context=item.context,
        estimated_cost_usd=Decimal(item.estimated_cost_usd) if item.estimated_cost_usd else None,
        policy_ids=_strings(item.policy_ids),
        approvers=_strings(item.approvers),
        escalation_approvers=_strings(item.escalation_approvers),
        timeout_seconds=int(item.timeout_seconds),
        four_eyes=bool(item.four_eyes),
        created_at=item.created_at,
        escalated_at=item.escalated_at,
        decided_by=item.decided_by,
        decided_at=item.decided_at,
        comment=item.comment,
    )


def start(
    tenant_id: str,
    *,
    agent_id: str,
    agent_owner: str | None,
    action: str,
    resource: str | None,
    context: dict[str, Any],
    estimated_cost_usd: Decimal | None,
    policy_ids: list[str],
    approvers: Iterable[str],
    escalation_approvers: Iterable[str],
    timeout_seconds: int,
    four_eyes: bool = False,
) -> ApprovalItem:
    approval_id = ordered_id("apr")
    now = datetime.now(UTC)
    order_key = f"{events.rfc3339(now)}#{approval_id}"
    data = system_data(tenant_id)
    item = data.new(
        ApprovalItem,
        ApprovalItem.sk_for(approval_id),
        approval_id=approval_id,
        status=PENDING,
        stage=INITIAL,
        requested_by=agent_id,
        requester_owner=agent_owner,
        four_eyes=four_eyes,
        action=action,
        resource=resource,
        context=json.loads(json.dumps(context, default=str)) if context else None,
        estimated_cost_usd=format(estimated_cost_usd, "f") if estimated_cost_usd is not None else None,
        policy_ids=policy_ids,
        approvers=list(dict.fromkeys(approvers)),
        escalation_approvers=list(dict.fromkeys(escalation_approvers)),
        timeout_seconds=timeout_seconds,
        created_at=now,
        gsi1pk=ApprovalItem.tenant_index_key(tenant_id),
        gsi1sk=order_key,
        gsi2pk=ApprovalItem.agent_index_key(tenant_id, agent_id),
        gsi2sk=order_key,
    )
    data.put(item, ApprovalItem.pk.does_not_exist())
    workflow_input = {
        "tenant_id": tenant_id,
        "approval_id": approval_id,
        "timeout_seconds": timeout_seconds,
        "has_escalation": bool(item.escalation_approvers),
    }
    try:
        execution = client("stepfunctions").start_execution(
            stateMachineArn=get_settings().approval_state_machine_arn,
            name=approval_id,
            input=json.dumps(workflow_input),
        )
    except (ClientError, BotoCoreError):
        data.delete(item)  # no workflow, no approval: nobody could ever decide it
        logger.exception("approval workflow did not start", extra={"approval_id": approval_id})
        raise DependencyUnavailable(
            "The approval workflow is unavailable; retry shortly.", headers={"Retry-After": "1"}
        ) from None
    data.update(item, [ApprovalItem.execution_arn.set(execution["executionArn"])])
    return item


def _get(data: TenantData, approval_id: str) -> ApprovalItem:
    return data.get(
        ApprovalItem, ApprovalItem.sk_for(approval_id), missing="No such approval.", consistent=True
    )


# --- the state machine's tasks ----------------------------------------------------------------


def record_wait(tenant_id: str, approval_id: str, stage: str, task_token: str) -> None:
    """A wait began: keep its token (a decision needs it) and tell the approvers."""
    data = system_data(tenant_id)
    item = _get(data, approval_id)
    actions: list[Any] = [ApprovalItem.task_token.set(task_token), ApprovalItem.stage.set(stage)]
    if stage == ESCALATED:
        actions.append(ApprovalItem.escalated_at.set(datetime.now(UTC)))
    try:
        data.update(item, actions, ApprovalItem.status == PENDING)
    except ConditionFailed:
        # Decided while the machine moved on: finish the new wait with that decision.
        item.refresh(consistent_read=True)
        client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(_decision(item)))
        return
    approvers = _strings(item.approvers)
    if stage == ESCALATED:
        approvers += _strings(item.escalation_approvers)
    event = "approval.requested" if stage == INITIAL else "approval.escalated"
    events.emit(
        tenant_id,
        event,
        {
            "approval_id": approval_id,
            "agent_id": item.requested_by,
            "action": item.action,
            "resource": item.resource,
            "approvers": approvers or list(DEFAULT_APPROVERS),
            "timeout_seconds": int(item.timeout_seconds),
            "stage": stage,
        },
    )


def _decision(item: ApprovalItem) -> dict[str, Any]:
    return {
        "status": item.status,
        "decided_by": item.decided_by,
        "decided_at": events.rfc3339(item.decided_at) if item.decided_at else None,
        "comment": item.comment,
    }


def expire(tenant_id: str, approval_id: str) -> None:
    """Nobody decided in time, escalation included: the request expires (once)."""
    data = system_data(tenant_id, "system:approvals")
    item = _get(data, approval_id)
    now = datetime.now(UTC)
    actions = [
        ApprovalItem.status.set(EXPIRED),
        ApprovalItem.decided_at.set(now),
        ApprovalItem.task_token.remove(),
    ]
    try:
        data.record(
            lambda: data.update(item, actions, ApprovalItem.status == PENDING),
            action="approval.expired",
            target=f"approval:{approval_id}",
            details={"stage": item.stage},
            event="approval.decided",
            event_data={"approval_id": approval_id, "agent_id": item.requested_by, "status": EXPIRED},
        )
    except ConditionFailed:
        return


def record_decision(tenant_id: str, approval_id: str) -> None:
    """The execution's last step after a decision: the audit chain and the ``approval.decided`` event."""
    item = _get(system_data(tenant_id), approval_id)
    data = system_data(tenant_id, item.decided_by or "system:approvals")
    data.record(
        None,  # the decision was written by ``decide``; this step makes it part of the record
        action=f"approval.{item.status}",
        target=f"approval:{approval_id}",
        details={
            "comment": item.comment,
            "stage": item.stage,
            "action": item.action,
            "agent_id": item.requested_by,
        },
        event="approval.decided",
        event_data={
            "approval_id": approval_id,
            "agent_id": item.requested_by,
            "status": item.status,
            "decided_by": item.decided_by,
            "comment": item.comment,
        },
    )


# --- people deciding ---------------------------------------------------------------------------


def _matches(principal: Principal, entry: str) -> bool:
    if entry.startswith(ROLE_APPROVER_PREFIX):
        needed = Role(entry.removeprefix(ROLE_APPROVER_PREFIX))
        return principal.role is not None and principal.role.at_least(needed)
    return entry in {principal.id, principal.email}


def stage_approvers(item: ApprovalItem) -> list[str]:
    approvers = _strings(item.approvers) or list(DEFAULT_APPROVERS)
    if item.stage == ESCALATED:
        approvers += _strings(item.escalation_approvers)
    return approvers


def _identities(principal: Principal) -> set[str]:
    """Every way a principal may be named: id, ``kind:id``, e-mail, agent id."""
    names = {principal.id, f"{principal.kind.value}:{principal.id}", principal.email, principal.agent_id}
    return {name for name in names if name}


def is_requesting_agent(principal: Principal, item: ApprovalItem) -> bool:
    """The agent that asked: it never decides its own request."""
    return item.requested_by in _identities(principal)


def is_registrant(principal: Principal, item: ApprovalItem) -> bool:
    """The user who registered the requesting agent (by id, ``user:<id>`` or e-mail)."""
    return item.requester_owner is not None and item.requester_owner in _identities(principal)


def is_own_request(principal: Principal, item: ApprovalItem) -> bool:
    """Who may not decide: the requesting agent always, its registrant when four-eyes applies."""
    return is_requesting_agent(principal, item) or (bool(item.four_eyes) and is_registrant(principal, item))


def may_decide(principal: Principal, item: ApprovalItem) -> bool:
    return (
        principal.kind is Caller.USER
        and not is_own_request(principal, item)
        and any(_matches(principal, entry) for entry in stage_approvers(item))
    )


def _four_eyes_refusal(item: ApprovalItem) -> Forbidden:
    who = ", ".join(stage_approvers(item))
    return Forbidden(
        f"Four-eyes approval applies to this request: you registered agent {item.requested_by}, "
        f"so another approver must decide it ({who}, anyone but you).",
        code="four_eyes",
        details=[
            {"field": "four_eyes", "issue": "registrant_may_not_decide", "message": f"approvers: {who}"}
        ],
    )


def decide(ctx: TenantContext, approval_id: str, decision: str, comment: str | None) -> Approval:
    principal = ctx.principal
    if principal.kind is not Caller.USER:
        raise Forbidden("Approvals are decided by people signed in to the portal.", code="approver_required")
    data = tenant_data(ctx)
    item = _get(data, approval_id)
    if is_requesting_agent(principal, item):
        raise Forbidden("Nobody decides their own request.", code="self_approval")
    if item.four_eyes and is_registrant(principal, item):
        raise _four_eyes_refusal(item)
    if not any(_matches(principal, entry) for entry in stage_approvers(item)):
        raise Forbidden("You are not an approver of this request.", code="not_an_approver")
    if item.status != PENDING:
        raise Conflict(f"This approval is already {item.status}.", code="already_decided")
    token = item.task_token
    if not token:
        raise Conflict("The approval workflow is not waiting yet; retry in a moment.", code="not_ready")
    now = datetime.now(UTC)
    decider = f"user:{principal.id}"
    data.update(
        item,
        [
            ApprovalItem.status.set(decision),
            ApprovalItem.decided_by.set(decider),
            ApprovalItem.decided_at.set(now),
            ApprovalItem.comment.set(comment) if comment else ApprovalItem.comment.remove(),
        ],
        (ApprovalItem.status == PENDING) & (ApprovalItem.task_token == token),
        or_raise=Conflict("This approval was decided or moved on meanwhile.", code="already_decided"),
    )
    try:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(_decision(item)))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in _TOKEN_GONE:
            raise
        # The wait timed out as we decided: undo, so the next stage (or expiry) stays in charge.
        data.update(
            item,
            [
                ApprovalItem.status.set(PENDING),
                ApprovalItem.decided_by.remove(),
                ApprovalItem.decided_at.remove(),
                ApprovalItem.comment.remove(),
            ],
            ApprovalItem.status == decision,
        )
        raise Conflict(
            "The approval moved on (escalated or expired) as you decided.", code="approval_moved_on"
        ) from None
    logger.info("approval decided", extra={"approval_id": approval_id, "status": decision})
    return to_schema(item)


# --- reading -----------------------------------------------------------------------------------


def get(ctx: TenantContext, approval_id: str) -> Approval:
    item = _get(tenant_data(ctx), approval_id)
    if ctx.principal.kind is Caller.AGENT and item.requested_by != (
        ctx.principal.agent_id or ctx.principal.id
    ):
        raise NotFound("No such approval.")  # an agent sees only its own requests
    return to_schema(item)


def list_approvals(ctx: TenantContext, query: ApprovalQuery) -> ApprovalPage:
    principal = ctx.principal
    condition = ApprovalItem.status == query.status if query.status else None
    if query.waiting_for_me:
        condition = ApprovalItem.status == PENDING
    if principal.kind is Caller.AGENT:  # an agent lists its own requests only
        index, key = "gsi2", ApprovalItem.agent_index_key(ctx.tenant_id, principal.agent_id or principal.id)
    else:
        index, key = "gsi1", ApprovalItem.tenant_index_key(ctx.tenant_id)
    page = tenant_data(ctx).page(
        ApprovalItem,
        index=index,
        index_key=key,
        filter=condition,
        newest_first=True,
        limit=query.limit,
        cursor=query.cursor,
    )
    items = [item for item in page.items if not query.waiting_for_me or may_decide(principal, item)]
    return ApprovalPage(items=[to_schema(i) for i in items], next_cursor=page.next_cursor)
