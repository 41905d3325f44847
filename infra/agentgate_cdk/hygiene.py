"""Template hygiene that keeps cfn-lint clean on what CDK generates."""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import IConstruct


@jsii.implements(cdk.IAspect)
class DropRedundantRoleDependency:
    """Functions and state machines: depend on the role's default policy, not on the role itself.

    CDK adds ``DependsOn`` the execution role although the ``Role`` GetAtt already orders the
    two (cfn-lint W3005). The dependency on the role's default policy is the one that matters:
    it makes the permissions exist before an event source or execution uses them.
    """

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, lambda_.Function | sfn.StateMachine):
            return
        resource = node.node.default_child
        role = node.role
        if not isinstance(resource, cdk.CfnResource) or not isinstance(role, iam.Role):
            return
        policy = role.node.try_find_child("DefaultPolicy")
        policy_resource = policy.node.default_child if policy is not None else None
        if isinstance(policy_resource, cdk.CfnResource):
            resource.add_override(
                "DependsOn", [cdk.Stack.of(policy_resource).get_logical_id(policy_resource)]
            )
        else:
            resource.add_deletion_override("DependsOn")
