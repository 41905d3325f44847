"""Alarms: every one notifies the deployment's alarm topic."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# A record in a dead-letter queue is work the system gave up on: one is worth a page.
DEAD_LETTER_THRESHOLD = 1
# Consumers this far behind the stream's tip are losing the race with producers.
ITERATOR_AGE_THRESHOLD_MS = 5 * 60 * 1000
API_5XX_THRESHOLD = 5


def alarm(
    scope: Construct,
    construct_id: str,
    *,
    metric: cloudwatch.IMetric,
    threshold: float,
    description: str,
    topic: sns.ITopic,
) -> cloudwatch.Alarm:
    created = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )
    created.add_alarm_action(actions.SnsAction(topic))
    return created


def dead_letter_alarm(
    scope: Construct, construct_id: str, queue: sqs.IQueue, what: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    return alarm(
        scope,
        construct_id,
        metric=queue.metric_approximate_number_of_messages_visible(
            period=cdk.Duration.minutes(1), statistic=cloudwatch.Stats.MAXIMUM
        ),
        threshold=DEAD_LETTER_THRESHOLD,
        description=f"{what}: a message reached the dead-letter queue and needs a look (then a redrive).",
        topic=topic,
    )
