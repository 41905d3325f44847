"""A batch of the runs stream, stored and counted exactly once.

Each run is put on its own (conditional on its absence) stamped with the id of the commit that
counts it; the commit then adds every stamped run's day counters and budget spends, aggregated,
in ONE transaction with a marker item per tenant (``data.commits``). A commit holds at most 100
items: when the next run's counters would not fit, the commit is sent and another one begun.

Exactly once, through every crash:
- a run whose put finds it already stored is looked up: stamped by one of this batch's commits,
  or by a commit whose marker says ``committed``, it was counted (a duplicate, a redelivery);
- stamped by a commit without a marker (the consumer died between the puts and the commit, or a
  redelivery starts inside that batch), that commit is voided first (a ``void`` marker, written
  only if absent, so it can never commit afterwards) and the run is counted by the current
  commit, which moves the run's stamp to itself in the same transaction (conditioned on the old
  stamp, so two consumers can never both take it over);
- a crash after a commit and before the checkpoint: every run of it is stamped by a committed
  commit, so a redelivery counts nothing again.
Settling a reservation, budget alerts and merging a later OpenTelemetry fragment run after the
commit that counts the run (all idempotent), so a merge only ever adds to a counted run.

Records are taken in order; the first transient failure stops the batch: what came before it is
committed, and it and every later record are reported as failures for the event source to retry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from agentgate.data.commits import (
    TRANSACTION_MAX_ITEMS,
    CommitRefused,
    claim_void,
    commit,
    marker_put,
    put_new,
    restamp,
)
from agentgate.data.counters import counter_update
from agentgate.data.tenant import system_data
from agentgate.models import IngestCommitItem, RunItem
from agentgate.platform.observability import logger
from agentgate.schemas.runs import RunEnvelope
from agentgate.services import budgets, reservations
from agentgate.services.runs import (
    PERMANENT_ERRORS,
    Addition,
    PoisonRecord,
    RunRecorder,
    dead_letter,
    decode,
)


class CommitLost(Exception):
    """A commit was voided by another consumer, or a run it took over moved: its records are retried."""


@dataclass
class StreamRecord:
    data: str
    partition_key: str
    sequence_number: str
    shard: str = ""


@dataclass
class _Commit:
    """The counters of the runs a commit counts, aggregated by counter item."""

    shard: str
    commit_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])  # 64 random bits
    adds: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    tenants: dict[str, datetime | None] = field(default_factory=dict)  # -> latest run expiry
    restamps: list[tuple[RunItem, str]] = field(default_factory=list)
    after: list[tuple[int, Callable[[], Any]]] = field(default_factory=list)  # (record, action)
    first: int | None = None  # index of the first record it holds
    sequences: list[str] = field(default_factory=list)
    sent: bool = False
    checked: set[tuple[str, frozenset[tuple[str, str]]]] = field(default_factory=set)
    after_done: int = 0

    def retry_from(self) -> int:
        """The first record not done when sending it failed."""
        if not self.sent:
            return self.first if self.first is not None else 0
        return self.after[self.after_done][0]

    def size_with(self, tenant_id: str, additions: list[Addition], restamping: bool) -> int:
        new_keys = {(pk, sk) for pk, sk, _, _ in additions} - set(self.adds)
        return (
            len(self.adds)
            + len(new_keys)
            + len(self.tenants | {tenant_id: None})
            + len(self.restamps)
            + int(restamping)
        )

    def count(self, item: RunItem, additions: list[Addition]) -> None:
        for pk, sk, adds, sets in additions:
            total, _ = self.adds.setdefault((pk, sk), ({}, dict(sets)))
            for name, value in adds.items():
                total[name] = total.get(name, 0) + value
        expiry = self.tenants.get(item.tenant_id)
        if item.expires_at is not None and (expiry is None or item.expires_at > expiry):
            expiry = item.expires_at
        self.tenants[item.tenant_id] = expiry

    def actions(self, table: str) -> list[dict[str, Any]]:
        actions = []
        for tenant_id, expiry in self.tenants.items():
            marker = system_data(tenant_id).new(
                IngestCommitItem,
                IngestCommitItem.sk_for(self.commit_id),
                state="committed",
                expires_at=expiry,
                shard=self.shard or None,
                first_sequence=self.sequences[0] if self.sequences else None,
                last_sequence=self.sequences[-1] if self.sequences else None,
            )
            actions.append(marker_put(marker))
        for (pk, sk), (adds, sets) in self.adds.items():
            actions.append(counter_update(table, pk, sk, {k: _number(v) for k, v in adds.items()}, sets))
        for item, old in self.restamps:
            actions.append(restamp(item.pk, item.sk, old, self.commit_id))
        return actions


def _number(value: Any) -> Any:
    return value if isinstance(value, Decimal | int) else Decimal(value)


class RunBatch:
    """Stores one consumer batch; returns the sequence numbers to retry (from the first failure on)."""

    def __init__(self, recorder: RunRecorder | None = None) -> None:
        self.recorder = recorder or RunRecorder()
        self.own: set[str] = set()  # this batch's commit ids
        self.taken: set[tuple[str, str]] = set()  # stored runs this batch's commits took over
        self.states: dict[str, str] = {}  # commit id -> committed | void, as looked up
        self.outcomes: list[str] = []

    def process(self, records: list[StreamRecord]) -> list[str]:
        current: _Commit | None = None
        failed_from = len(records)
        for index, record in enumerate(records):
            try:
                current = self._take(index, record, current)
            except Exception:  # noqa: BLE001 - any failure is reported for the event source to retry
                logger.exception("run record failed: the batch is retried from it", extra={
                    "seq": record.sequence_number})  # fmt: skip
                failed_from = index
                break
        if current is not None:
            try:
                self._send(current)
            except Exception:  # noqa: BLE001 - as above: the records not done are retried
                logger.exception("commit or its follow-up failed", extra={"commit": current.commit_id})
                failed_from = min(failed_from, current.retry_from())
        return [r.sequence_number for r in records[failed_from:]]

    # --- one record ---------------------------------------------------------------------------------

    def _take(self, index: int, record: StreamRecord, current: _Commit | None) -> _Commit | None:
        try:
            envelope = decode(record.data)
            return self._store(index, record, envelope, current)
        except PoisonRecord as exc:
            dead_letter(
                "runs",
                record.data,
                str(exc),
                partition_key=record.partition_key,
                sequence_number=record.sequence_number,
            )
            self.outcomes.append("dead_lettered")
            return current

    def _room(
        self, index: int, record: StreamRecord, current: _Commit | None, tenant_id: str,
        additions: list[Addition], restamping: bool,
    ) -> _Commit:  # fmt: skip
        full = (
            current is not None
            and current.size_with(tenant_id, additions, restamping) > TRANSACTION_MAX_ITEMS
        )
        if current is not None and full:
            self._send(current)
            current = None
        if current is None:
            current = _Commit(shard=record.shard)
            self.own.add(current.commit_id)
        if current.first is None:
            current.first = index
        current.sequences.append(record.sequence_number)
        return current

    def _store(
        self, index: int, record: StreamRecord, envelope: RunEnvelope, current: _Commit | None
    ) -> _Commit:
        recorder = self.recorder
        costing = recorder.cost(envelope)
        item = recorder._run_item(envelope, costing)
        additions = recorder.contribution(item)
        current = self._room(index, record, current, envelope.tenant_id, additions, False)
        item.commit_id = current.commit_id
        try:
            first = put_new(item)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in PERMANENT_ERRORS:
                raise PoisonRecord(f"refused by the table: {code}: {exc}") from exc
            raise
        if first:
            current.count(item, additions)
            self._after_counting(current, index, envelope, item)
            self.outcomes.append("stored")
            return current
        stored = system_data(item.tenant_id).find(RunItem, item.sk, consistent=True)
        if stored is None:  # expired between the put and the read: the record is tried again
            raise CommitLost(f"run {item.run_id} vanished while it was stored")
        current = self._count_if_uncounted(index, record, current, stored)
        if stored.content_hash == item.content_hash:
            self._after_counting(current, index, envelope, stored)
            self.outcomes.append("duplicate")
        elif envelope.source == "otlp":  # another fragment of a trace: merged span by span
            from agentgate.services.otel_merge import merge_fragment

            covering = recorder.covering(envelope.tenant_id, envelope.agent_id, envelope.team)

            def merge() -> None:
                try:
                    merge_fragment(recorder, envelope, item, costing, covering)
                except PoisonRecord as exc:  # a fragment no retry can merge: dead-lettered
                    dead_letter("runs", record.data, str(exc), partition_key=record.partition_key,
                                sequence_number=record.sequence_number)  # fmt: skip

            current.after.append((index, merge))
            self.outcomes.append("merged")
        else:
            logger.info("run id reused with other content: first write kept", extra={"run_id": item.run_id})
            self.outcomes.append("duplicate")
        return current

    def _count_if_uncounted(
        self, index: int, record: StreamRecord, current: _Commit, stored: RunItem
    ) -> _Commit:
        """Count a stored run whose commit never happened (and never will: it is voided first)."""
        old = stored.commit_id
        key = (stored.pk, stored.sk)
        if old is None or old in self.own or key in self.taken:  # stored before commits, or this batch's
            return current
        state = self.states.get(old)
        if state is None:
            marker = system_data(stored.tenant_id).new(
                IngestCommitItem, IngestCommitItem.sk_for(old), state="void", expires_at=stored.expires_at
            )
            state = self.states[old] = claim_void(marker)
        if state == "committed":
            return current
        additions = self.recorder.contribution(stored)
        current = self._room(index, record, current, stored.tenant_id, additions, True)
        current.count(stored, additions)
        current.restamps.append((stored, old))
        self.taken.add(key)
        logger.info("run of a commit that never happened: counted now", extra={"run_id": stored.run_id})
        return current

    def _after_counting(self, current: _Commit, index: int, envelope: RunEnvelope, item: RunItem) -> None:
        run = envelope.run
        tenant_id = envelope.tenant_id
        if run.authorization_id:  # on a redelivery too: settling is idempotent
            authorization_id = run.authorization_id
            current.after.append(
                (index, lambda: reservations.settle(
                    tenant_id, authorization_id, agent_id=envelope.agent_id, run_id=run.run_id))
            )  # fmt: skip
        covering = self.recorder.covering(tenant_id, item.agent_id, item.team)
        periods = frozenset((b.budget_id, budgets.spend_sk(b, item.start_time)) for b in covering)
        if (
            covering and (tenant_id, periods) not in current.checked
        ):  # once per budget period a commit adds to
            current.checked.add((tenant_id, periods))
            at = item.start_time
            current.after.append((index, lambda: budgets.check_thresholds(tenant_id, covering, at)))

    # --- the commit ---------------------------------------------------------------------------------

    def _send(self, current: _Commit) -> None:
        """Send the commit (once), then what follows it; raises on the first failure."""
        if not current.sent and (current.adds or current.restamps):
            try:
                commit(current.actions(self.recorder.table))
            except CommitRefused as exc:
                raise CommitLost(f"commit {current.commit_id} refused: {exc}") from exc
            self.states[current.commit_id] = "committed"
        current.sent = True
        while current.after_done < len(current.after):
            current.after[current.after_done][1]()
            current.after_done += 1
