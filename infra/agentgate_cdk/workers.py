"""The functions nothing calls over HTTP: stream and queue consumers, timers and state machine tasks.

Each comes from its table (``agentgate.consumers``, ``agentgate.schedules``, ``agentgate.workflows``);
a handler module named by several rows is one function holding the union of their grants.
"""

from __future__ import annotations

import json
import re

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from agentgate.platform.settings import env_name
from agentgate.schedules import Schedule
from agentgate.workflows import Workflow
from infra.agentgate_cdk.alarms import ITERATOR_AGE_THRESHOLD_MS, alarm, dead_letter_alarm
from infra.agentgate_cdk.config import REPO_ROOT
from infra.agentgate_cdk.functions import AgentGateFunction, FunctionSpec, Shared, named_arn
from infra.agentgate_cdk.nag import acknowledge
from infra.agentgate_cdk.tables import Tables

STREAM_CONSUMER_TIMEOUT = 60
QUEUE_CONSUMER_TIMEOUT = 60
SCHEDULE_TIMEOUT = 300
TASK_TIMEOUT = 30
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def state_machine_name(prefix: str, workflow: Workflow) -> str:
    return f"{prefix}-{workflow.name.replace('_', '-')}"


def state_machine_arn(scope: Construct, prefix: str, workflow: Workflow) -> str:
    """Known before the state machine exists, so its task functions may be granted it too."""
    return named_arn(scope, "states", "stateMachine", state_machine_name(prefix, workflow))


def worker_specs(tables: Tables) -> dict[str, FunctionSpec]:
    """Every worker handler module with the union of its rows' grants and the longest timeout."""
    rows: list[tuple[str, frozenset[str], int, str]] = []
    rows += [
        (c.handler, c.grants, STREAM_CONSUMER_TIMEOUT, f"Consumes the {c.stream} stream")
        for c in tables.consumers
    ]
    rows += [
        (q.handler, q.grants, min(QUEUE_CONSUMER_TIMEOUT, q.visibility_timeout_seconds), f"Drains {q.name}")
        for q in tables.queue_consumers
    ]
    rows += [(s.handler, s.grants, SCHEDULE_TIMEOUT, s.description) for s in tables.schedules]
    rows += [
        (handler, w.grants, TASK_TIMEOUT, f"{w.name} workflow task {placeholder}")
        for w in tables.workflows
        for placeholder, handler in w.tasks.items()
    ]
    specs: dict[str, FunctionSpec] = {}
    for handler, grants, timeout, description in rows:
        known = specs.get(handler)
        if known is None:
            specs[handler] = FunctionSpec(handler, frozenset(grants), timeout, description)
        else:
            specs[handler] = FunctionSpec(
                handler, known.grants | grants, max(known.timeout_seconds, timeout), known.description
            )
    return specs


class WorkersStack(cdk.NestedStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        shared: Shared,
        tables: Tables,
        queues: dict[str, sqs.IQueue],
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id, description="AgentGate consumers, timers and workflows")
        wiring = shared.wiring
        self.functions: dict[str, AgentGateFunction] = {
            handler: AgentGateFunction(self, _construct_id(handler), spec=spec, shared=shared)
            for handler, spec in worker_specs(tables).items()
        }
        for consumer in tables.consumers:
            function = self.functions[consumer.handler]
            function.function.add_environment(
                env_name("dead_letter_queue_url"), wiring.dead_letter_queue.queue_url
            )
            function.function.add_event_source(
                sources.KinesisEventSource(
                    wiring.streams[consumer.stream],
                    starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                    batch_size=consumer.batch_size,
                    max_batching_window=cdk.Duration.seconds(consumer.max_batching_window_seconds),
                    retry_attempts=consumer.retry_attempts,
                    bisect_batch_on_error=consumer.bisect_on_error,
                    report_batch_item_failures=True,
                    on_failure=sources.SqsDlq(wiring.dead_letter_queue),
                )
            )
            alarm(
                self,
                f"{_construct_id(consumer.name)}IteratorAgeAlarm",
                metric=function.function.metric(
                    "IteratorAge", statistic="Maximum", period=cdk.Duration.minutes(5)
                ),
                threshold=ITERATOR_AGE_THRESHOLD_MS,
                description=f"Consumer {consumer.name} is over 5 minutes behind its stream.",
                topic=alarm_topic,
            )
        for queue_consumer in tables.queue_consumers:
            function = self.functions[queue_consumer.handler]
            function.function.add_event_source(
                sources.SqsEventSource(
                    queues[queue_consumer.name],
                    batch_size=queue_consumer.batch_size,
                    report_batch_item_failures=True,
                )
            )
        if tables.schedules:
            self._schedules(tables.schedules, alarm_topic)
        self.state_machines = {
            workflow.name: self._state_machine(workflow, shared.name_prefix) for workflow in tables.workflows
        }

    def _schedules(self, schedules: tuple[Schedule, ...], alarm_topic: sns.ITopic) -> None:
        failures = sqs.Queue(
            self,
            "ScheduleFailuresQueue",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(
            failures,
            "AwsSolutions-SQS3",
            "It is a dead-letter queue: the EventBridge targets' destination for failed invocations.",
        )
        dead_letter_alarm(self, "ScheduleFailuresAlarm", failures, "timers", alarm_topic)
        for schedule in schedules:
            events.Rule(
                self,
                f"{_construct_id(schedule.name)}Schedule",
                description=schedule.description[:512],
                schedule=events.Schedule.expression(schedule.expression),
                targets=[
                    targets.LambdaFunction(
                        self.functions[schedule.handler].function,
                        dead_letter_queue=failures,
                        retry_attempts=2,
                        max_event_age=cdk.Duration.hours(1),
                    )
                ],
            )

    def _state_machine(self, workflow: Workflow, prefix: str) -> sfn.StateMachine:
        definition = (REPO_ROOT / workflow.definition).read_text()
        json.loads(definition)  # a malformed file fails the synthesis, not the deployment
        placeholders = set(_PLACEHOLDER.findall(definition))
        missing = placeholders - set(workflow.tasks)
        if missing:
            raise ValueError(f"{workflow.definition}: no task function for {sorted(missing)}")
        tasks = {
            placeholder: self.functions[handler].function for placeholder, handler in workflow.tasks.items()
        }
        name = _construct_id(workflow.name)
        log_group = logs.LogGroup(
            self,
            f"{name}StateMachineLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        machine = sfn.StateMachine(
            self,
            f"{name}StateMachine",
            state_machine_name=state_machine_name(prefix, workflow),
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(definition),
            definition_substitutions={placeholder: fn.function_arn for placeholder, fn in tasks.items()},
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=False,
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=sorted({fn.function_arn for fn in tasks.values()}),
            )
        )
        acknowledge(
            machine,
            "AwsSolutions-SF2",
            "X-Ray is off across AgentGate: execution history and ALL-level logs trace each run.",
        )
        acknowledge(
            machine.role,
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs delivery APIs for Step Functions logging have no resource-level permissions.",
        )
        return machine


def _construct_id(name: str) -> str:
    return "".join(part.title() for part in re.split(r"[^A-Za-z0-9]+", name) if part)
