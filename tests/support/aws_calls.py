"""Counting the AWS calls a block makes, through every botocore client (boto3's and pynamodb's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.load.client_hooks import hook_new_clients


def _drop_clients() -> None:
    from agentgate.platform.aws import reset_clients
    from agentgate.platform.table import TableModel

    reset_clients()
    pending: list[type] = [TableModel]
    while pending:  # pynamodb keeps a connection (and its botocore client) per item class
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        cls._connection = None  # type: ignore[attr-defined]


@contextmanager
def counting_aws_calls() -> Iterator[Counter[str]]:
    """Within the block, every client is new and counts its calls as ``"<service>.<Operation>"``.

    Clients (and what containers cache per client, such as opened keys) start afresh inside: warm
    up inside the block and ``calls.clear()`` before the part you measure.
    """
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}.{model.name}"] += 1

    with hook_new_clients("before-call.*.*", count):
        _drop_clients()
        try:
            yield calls
        finally:
            _drop_clients()
