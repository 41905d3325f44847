"""Feed dead-lettered stream records back onto their stream, once the cause is fixed.

    python -m agentgate.tools.replay_runs_dlq [--max N] [--dry-run]

Each message of the runs dead-letter queue holds the record's stream, partition key,
original data and the reason it was refused. A record is put back with its original
partition key (so it keeps its order among the agent's runs) and its message deleted
only after the put succeeded. Replaying is safe: the consumer stores each run once.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings

STREAM_SETTINGS = {"runs": "runs_stream", "analytics": "analytics_stream"}


@dataclass
class ReplayReport:
    replayed: int = 0
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)


def _original_bytes(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return data.encode()  # it was never base64: put back exactly what arrived


def replay(max_messages: int = 1_000, *, dry_run: bool = False) -> ReplayReport:
    sqs = client("sqs")
    kinesis = client("kinesis")
    settings = get_settings()
    queue_url = settings.runs_dead_letter_queue_url
    report = ReplayReport()
    while report.replayed + report.skipped < max_messages:
        batch = min(10, max_messages - report.replayed - report.skipped)
        messages: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=batch,
            VisibilityTimeout=0 if dry_run else 60,  # a dry run leaves the messages visible
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            try:
                body = json.loads(message["Body"])
                stream = getattr(settings, STREAM_SETTINGS[body.get("stream", "runs")])
                data, partition_key = body["data"], body["partition_key"]
            except (ValueError, KeyError, TypeError):
                report.skipped += 1  # not one of ours: left in the queue for a human
                continue
            report.reasons.append(str(body.get("reason", "")))
            if not dry_run:
                kinesis.put_record(StreamName=stream, Data=_original_bytes(data), PartitionKey=partition_key)
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            report.replayed += 1
        if dry_run:
            break  # visible messages would be received again: one look is what a dry run shows
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--max", type=int, default=1_000, help="replay at most this many records")
    parser.add_argument("--dry-run", action="store_true", help="list the reasons, change nothing")
    args = parser.parse_args(argv)
    report = replay(args.max, dry_run=args.dry_run)
    verb = "would replay" if args.dry_run else "replayed"
    print(f"{verb} {report.replayed} record(s); skipped {report.skipped} foreign message(s)")
    for reason in report.reasons:
        print(f"  - {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
