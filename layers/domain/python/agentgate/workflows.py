"""The state machines: each an ASL file under ``statemachines/`` and the Lambda tasks it calls.

CDK creates each state machine from its file, substituting ``${<Placeholder>}`` with the
ARN of the function for that task; the local stack runs the same file in moto, routing
the same placeholders to the handlers in-process.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Workflow:
    name: str
    definition: str  # path relative to the repository root, e.g. "statemachines/approval.asl.json"
    # ASL substitution placeholder (``${RecordRequestFunction}``) -> handler module under functions/
    tasks: dict[str, str] = field(default_factory=dict)
    # Permissions each task function needs (see routes.GRANTS)
    grants: frozenset[str] = frozenset({"table:read", "table:write"})
    # Settings attribute that receives the state machine ARN (e.g. "approval_state_machine_arn")
    arn_setting: str = ""


WORKFLOWS: tuple[Workflow, ...] = (
    # --- governance: human approvals (task tokens, timeout, one escalation, expiry) -------------
    Workflow(
        name="approval",
        definition="statemachines/approval.asl.json",
        tasks={
            "RequestApprovalFunction": "approval_request",
            "RecordDecisionFunction": "approval_record_decision",
            "ExpireApprovalFunction": "approval_expire",
        },
        grants=frozenset({"table:read", "table:write", "queue:webhooks"}),
        arn_setting="approval_state_machine_arn",
    ),
)
