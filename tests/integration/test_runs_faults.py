"""Issue 4's fault test: 1,000 runs with duplicates, a redelivered batch, a poison record and a
throttled table write in the middle. Afterwards stored runs = unique runs, total cost and
every budget's spend = the sums over unique runs, and the dead-letter queue holds the poison
record and nothing else."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from botocore.exceptions import ClientError

from agentgate.models import BudgetSpendItem, CostDayItem, IngestCommitItem, RunItem, tenant_pk
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.pricing import TokenCounts, price_table
from agentgate.schemas.runs import ERROR_STATUSES
from agentgate.services.budgets import covers, spend_sk, tenant_budgets
from tests.integration.test_runs_helpers import (
    Stream,
    apikey,
    dead_letters,
    linear_moto_transactions,
    make_agent,
    make_tenant,
    run_body,
    user,
)
from tests.support.api import call

TENANT = "t-faults"
AGENTS = {"a-red-1": "red", "a-red-2": "red", "a-blue": "blue", "a-solo": None}
MODELS = [
    ("openai", "gpt-4o"),
    ("anthropic", "claude-sonnet-4-5"),
    ("google", "gemini-2.5-flash"),
    ("mistral", "mistral-large-latest"),
    ("bedrock", "us.amazon.nova-pro-v1:0"),
    ("acme", "in-house-llm"),  # unpriced
]
UNIQUE_RUNS = 900
TOTAL_RUNS = 1_000


class ThrottleOnce:
    """A botocore hook on the consumer's DynamoDB client: the Nth call of an operation is throttled."""

    def __init__(self, at_call: int) -> None:
        self.at_call = at_call
        self.calls = 0
        self.fired = 0

    def __call__(self, **kwargs: object) -> None:
        self.calls += 1
        if self.calls == self.at_call:
            self.fired += 1
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}},
                str(kwargs.get("event_name", "")).rsplit(".", 1)[-1],
            )


def _runs(now: datetime) -> list[dict]:
    rng = random.Random(4)
    unique = []
    for n in range(UNIQUE_RUNS):
        agent_id = rng.choice(list(AGENTS))
        provider, model = rng.choice(MODELS)
        start = now - timedelta(minutes=rng.randint(1, 600))
        unique.append(
            run_body(
                f"run-{n:04d}",
                agent_id=agent_id,
                provider=provider,
                model=model,
                status=rng.choice(["success", "success", "success", "error"]),
                start_time=start.isoformat(),
                end_time=(start + timedelta(milliseconds=rng.randint(50, 20_000))).isoformat(),
                token_usage={
                    "input": rng.randint(0, 50_000),
                    "output": rng.randint(0, 8_000),
                    "cache_read": rng.randint(0, 20_000),
                    "cache_write": rng.randint(0, 5_000),
                },
                events=[
                    {"event_id": f"e{k}", "type": "step", "timestamp": start.isoformat(), "payload": {"k": k}}
                    for k in range(rng.randint(0, 3))
                ],
            )
        )
    duplicates = [dict(rng.choice(unique)) for _ in range(TOTAL_RUNS - UNIQUE_RUNS)]  # client resends
    everything = unique + duplicates
    rng.shuffle(everything)
    return everything


def _expected_cost(body: dict) -> Decimal | None:
    costing = price_table().price_run(
        body["model"],
        body["provider"],
        datetime.fromisoformat(body["start_time"]),
        TokenCounts(**body["token_usage"]),
    )
    return costing.cost_usd


def test_a_thousand_runs_with_duplicates_redelivery_poison_and_throttle_are_stored_costed_and_counted_once(
    aws,
):
    # given a tenant with agents in two teams and budgets over the org, a team and an agent
    make_tenant(TENANT)
    for agent_id, team in AGENTS.items():
        make_agent(TENANT, agent_id, team)
    admin = user(TENANT)
    for budget in (
        {"scope": "org", "max_amount_usd": "100000", "period": "monthly", "threshold_alert_percent": 100},
        {"scope": "team", "scope_id": "red", "max_amount_usd": "50000", "period": "weekly"},
        {"scope": "agent", "scope_id": "a-blue", "max_amount_usd": "50000", "period": "daily"},
    ):
        assert call("POST", "/api/v1/budgets", body=budget, ctx=admin).status == 201
    now = datetime.now(UTC).replace(microsecond=0)
    bodies = _runs(now)
    key = apikey(TENANT, {"ingest"})

    # when the runs are ingested in 4 batches with a poison record put on the stream in the middle
    for n, start in enumerate(range(0, TOTAL_RUNS, 250)):
        reply = call("POST", "/api/v1/ingest/batch", body={"runs": bodies[start : start + 250]}, ctx=key)
        assert reply.status == 207 and reply.json["accepted"] == 250, reply.text
        if n == 1:
            client("kinesis").put_record(
                StreamName=get_settings().runs_stream,
                Data=b'{"tenant_id": "t-faults", "run": 42}',
                PartitionKey="x",
            )
    stream = Stream()
    records = stream.read()
    assert len(records) == TOTAL_RUNS + 1

    # and the table throttles one run's put in the middle, and a batch is redelivered twice
    throttle = ThrottleOnce(at_call=437)
    client("dynamodb").meta.events.register("before-call.dynamodb.PutItem", throttle)
    with linear_moto_transactions():
        delivery = stream.deliver()
        stream.deliver(records[300:400])  # a redelivered batch (the consumer crashed before checkpointing)
        stream.deliver(records[:100])

    # then the throttled record was retried from its position, not lost
    assert throttle.fired == 1 and len(delivery.retried_from) == 1
    # and stored runs = unique runs
    unique = {b["run_id"]: b for b in bodies}
    assert len(unique) == UNIQUE_RUNS
    stored = list(RunItem.query(tenant_pk(TENANT), RunItem.sk.startswith("RUN#")))
    assert sorted(r.run_id for r in stored) == sorted(unique)
    # and each run's cost is its own, the total cost is the sum over unique runs
    expected = {run_id: _expected_cost(body) for run_id, body in unique.items()}
    assert {r.run_id: r.cost_usd for r in stored} == expected
    assert {r.run_id for r in stored if r.unpriced} == {k for k, v in expected.items() if v is None}
    total = sum((v for v in expected.values() if v is not None), Decimal(0))
    org_days = list(
        CostDayItem.query(tenant_pk(TENANT), CostDayItem.sk.startswith(CostDayItem.prefix_for("org", "-")))
    )
    assert sum((d.cost_usd for d in org_days), Decimal(0)) == total
    assert sum(int(d.runs) for d in org_days) == UNIQUE_RUNS
    assert sum(int(d.errors) for d in org_days) == sum(
        1 for b in unique.values() if b["status"] in ERROR_STATUSES
    )
    # and every budget's spend, in every period a run fell in, = the sum over the unique runs it covers
    # there (runs span up to 10 hours before now, so near midnight they fall in two days: each is checked)
    for budget in tenant_budgets(TENANT):
        want: dict[str, Decimal] = {}
        for body in unique.values():
            if covers(budget, body["agent_id"], AGENTS[body["agent_id"]]):
                sk = spend_sk(budget, datetime.fromisoformat(body["start_time"]))
                want[sk] = want.get(sk, Decimal(0)) + (expected[body["run_id"]] or Decimal(0))
        prefix = BudgetSpendItem.sk_for(budget.budget_id, "")
        spends = BudgetSpendItem.query(tenant_pk(TENANT), BudgetSpendItem.sk.startswith(prefix))
        assert {s.sk: s.spend_usd for s in spends} == want, budget.scope
        assert want, budget.scope  # every budget covers some runs: the comparison is not vacuous
    # and the dead-letter queue holds the poison record, with its reason, and nothing else
    letters = dead_letters()
    assert len(letters) == 1
    assert letters[0]["stream"] == "runs" and letters[0]["reason"].startswith("invalid:")
    assert "agent_id" in letters[0]["reason"]


def test_a_crash_between_the_runs_puts_and_the_counters_transaction_loses_nothing_and_counts_once(aws):
    # given a run with three events, and a table that fails the batch's counters' transaction once
    make_agent(TENANT, "a-solo")
    events = [{"event_id": f"e{n}", "type": "step", "timestamp": f"2026-01-10T12:00:0{n}Z"} for n in range(3)]
    body = run_body("r-crash", agent_id="a-solo", events=events, token_usage={"input": 1_000_000})
    assert call("POST", "/api/v1/ingest/run", body=body, ctx=apikey(TENANT, {"ingest"})).status == 202
    failing = ThrottleOnce(at_call=1)
    client("dynamodb").meta.events.register("before-call.dynamodb.TransactWriteItems", failing)
    stream = Stream()
    stream.read()
    # when the consumer fails after the run was put and the record is delivered again
    delivery = stream.deliver()
    # then the run, stamped by a commit that never happened, was counted by the retry, once
    assert failing.fired == 1 and len(delivery.retried_from) == 1
    timeline = call(
        "GET", "/api/v1/events/{run_id}", path_params={"run_id": "r-crash"}, ctx=user(TENANT)
    ).json
    assert [e["event_id"] for e in timeline["items"]] == ["e0", "e1", "e2"]
    costs = call(
        "GET", "/api/v1/costs/summary", query={"from": "2026-01-10", "to": "2026-01-10"}, ctx=user(TENANT)
    )
    assert costs.json["runs"] == 1 and costs.json["total_cost_usd"] == "2.50000000"
    # and the commit that never happened is void: it can never count the run a second time
    stored = RunItem.get(tenant_pk(TENANT), RunItem.sk_for("r-crash"))
    markers = list(IngestCommitItem.query(tenant_pk(TENANT), IngestCommitItem.sk.startswith("INGEST#")))
    assert sorted(m.state for m in markers) == ["committed", "void"]
    assert stored.commit_id == next(m.sk for m in markers if m.state == "committed").removeprefix("INGEST#")


class CrashAfterCommit:
    """An ``after-call`` hook: the Nth call has reached the table (its transaction committed), then the
    consumer dies before it can report, as a timeout or an out-of-memory kill would."""

    def __init__(self, at_call: int) -> None:
        self.at_call = at_call
        self.calls = 0
        self.fired = 0

    def __call__(self, **kwargs: object) -> None:
        self.calls += 1
        if self.calls == self.at_call:
            self.fired += 1
            raise RuntimeError("consumer crashed after the transaction committed")


def test_a_crash_after_the_counters_transaction_and_before_checkpointing_counts_nothing_twice(aws):
    # given 100 runs of one agent, covered by an org budget, on the stream
    tenant = "t-crash-commit"
    make_tenant(tenant)
    make_agent(tenant, "a-one", "red")
    budget = {"scope": "org", "max_amount_usd": "100000", "period": "monthly"}
    assert call("POST", "/api/v1/budgets", body=budget, ctx=user(tenant)).status == 201
    start = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # a fixed day: no period boundary in the way
    bodies = [
        run_body(
            f"c-{n:03d}",
            agent_id="a-one",
            start_time=(start + timedelta(minutes=n)).isoformat(),
            end_time=(start + timedelta(minutes=n, seconds=2)).isoformat(),
            token_usage={"input": 10_000 + n, "output": 500},
        )
        for n in range(100)
    ]
    reply = call("POST", "/api/v1/ingest/batch", body={"runs": bodies}, ctx=apikey(tenant, {"ingest"}))
    assert reply.status == 207 and reply.json["accepted"] == 100, reply.text
    stream = Stream()
    stream.read()
    # when the consumer dies right after the batch's counters' transaction committed
    crash = CrashAfterCommit(at_call=1)
    client("dynamodb").meta.events.register("after-call.dynamodb.TransactWriteItems", crash)
    with linear_moto_transactions():
        first = stream.deliver()
        # and, its checkpoint lost, the whole batch is delivered once more
        stream.deliver()
    # then the crashed record was retried, and every total counts each run once
    assert crash.fired == 1 and len(first.retried_from) == 1
    expected = [_expected_cost(b) for b in bodies]
    assert all(cost is not None for cost in expected)
    total = sum((c for c in expected if c is not None), Decimal(0))
    org_days = list(
        CostDayItem.query(tenant_pk(tenant), CostDayItem.sk.startswith(CostDayItem.prefix_for("org", "-")))
    )
    assert [int(d.runs) for d in org_days] == [100]
    assert org_days[0].cost_usd == total
    (only_budget,) = tenant_budgets(tenant)
    spend = BudgetSpendItem.get(tenant_pk(tenant), spend_sk(only_budget, start))
    assert spend.spend_usd == total and int(spend.runs) == 100


def _one_agent_runs(tenant: str, prefix: str, count: int, start: datetime) -> list[dict]:
    make_tenant(tenant)
    make_agent(tenant, "a-one", "red")
    bodies = [
        run_body(
            f"{prefix}-{n:03d}",
            agent_id="a-one",
            start_time=(start + timedelta(minutes=n)).isoformat(),
            end_time=(start + timedelta(minutes=n, seconds=2)).isoformat(),
            token_usage={"input": 10_000 + n, "output": 500},
        )
        for n in range(count)
    ]
    reply = call("POST", "/api/v1/ingest/batch", body={"runs": bodies}, ctx=apikey(tenant, {"ingest"}))
    assert reply.status == 207 and reply.json["accepted"] == count, reply.text
    return bodies


def _org_totals(tenant: str) -> tuple[int, Decimal]:
    days = list(
        CostDayItem.query(tenant_pk(tenant), CostDayItem.sk.startswith(CostDayItem.prefix_for("org", "-")))
    )
    return sum(int(d.runs) for d in days), sum((d.cost_usd for d in days), Decimal(0))


def test_a_batch_whose_commit_failed_and_is_redelivered_in_parts_is_counted_once(aws):
    # given 100 runs on the stream, and a consumer whose counters' transaction fails after every run was put
    tenant = "t-parts"
    bodies = _one_agent_runs(tenant, "p", 100, datetime(2026, 1, 12, 9, 0, tzinfo=UTC))
    stream = Stream()
    records = stream.read()
    failing = ThrottleOnce(at_call=1)
    client("dynamodb").meta.events.register("before-call.dynamodb.TransactWriteItems", failing)
    response = stream.invoke(records)
    assert failing.fired == 1 and len(response["batchItemFailures"]) == 100
    assert _org_totals(tenant) == (0, Decimal(0))  # nothing counted yet, though every run is stored
    # when the records come back in two parts, the second half first (as a bisected batch would)
    with linear_moto_transactions():
        second = stream.deliver(records[50:])
        first = stream.deliver(records[:50])
        # and the whole batch once more, as after a lost checkpoint
        again = stream.deliver(records)
    # then every run is counted once, by the commits that took them over
    assert not (first.retried_from or second.retried_from or again.retried_from)
    expected = sum((c for c in (_expected_cost(b) for b in bodies) if c is not None), Decimal(0))
    assert _org_totals(tenant) == (100, expected)
    markers = list(IngestCommitItem.query(tenant_pk(tenant), IngestCommitItem.sk.startswith("INGEST#")))
    assert sorted(m.state for m in markers) == ["committed", "committed", "void"]


def test_a_batch_whose_counters_exceed_one_transaction_is_committed_in_several(aws):
    # given 100 runs of 40 agents over 3 days: 3 org + 120 agent + 3 team day counters, past 100 items
    tenant = "t-wide"
    make_tenant(tenant)
    agents = [f"a-{n:02d}" for n in range(40)]
    for agent_id in agents:
        make_agent(tenant, agent_id, "red")
    start = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    bodies = [
        run_body(
            f"w-{n:03d}",
            agent_id=agents[n % 40],
            start_time=(start + timedelta(days=n % 3, minutes=n)).isoformat(),
            end_time=(start + timedelta(days=n % 3, minutes=n, seconds=1)).isoformat(),
            token_usage={"input": 20_000 + n, "output": 100},
        )
        for n in range(100)
    ]
    reply = call("POST", "/api/v1/ingest/batch", body={"runs": bodies}, ctx=apikey(tenant, {"ingest"}))
    assert reply.status == 207 and reply.json["accepted"] == 100, reply.text
    stream = Stream()
    stream.read()
    calls = ThrottleOnce(at_call=0)  # counts the transactions, never fires
    client("dynamodb").meta.events.register("before-call.dynamodb.TransactWriteItems", calls)
    # when the batch is consumed, and delivered once more
    with linear_moto_transactions():
        assert not stream.deliver().retried_from
        assert not stream.deliver().retried_from
    # then it took more than one transaction, and each agent's and the org's totals count each run once
    assert calls.calls >= 2
    expected = sum((c for c in (_expected_cost(b) for b in bodies) if c is not None), Decimal(0))
    assert _org_totals(tenant) == (100, expected)
    for agent_id in agents:
        days = CostDayItem.query(
            tenant_pk(tenant), CostDayItem.sk.startswith(CostDayItem.prefix_for("agent", agent_id))
        )
        assert sum(int(d.runs) for d in days) == sum(1 for b in bodies if b["agent_id"] == agent_id)


def test_a_failed_commit_redelivered_with_resends_of_its_runs_counts_each_run_once(aws):
    # given 10 runs and 5 client resends of them in one batch, whose counters' transaction fails once
    tenant = "t-resends"
    bodies = _one_agent_runs(tenant, "s", 10, datetime(2026, 1, 12, 9, 0, tzinfo=UTC))
    reply = call("POST", "/api/v1/ingest/batch", body={"runs": bodies[:5]}, ctx=apikey(tenant, {"ingest"}))
    assert reply.status == 207 and reply.json["accepted"] == 5, reply.text
    stream = Stream()
    records = stream.read()
    assert len(records) == 15
    failing = ThrottleOnce(at_call=1)
    client("dynamodb").meta.events.register("before-call.dynamodb.TransactWriteItems", failing)
    # when the batch is retried after the failure, and delivered once more
    with linear_moto_transactions():
        first = stream.deliver()
        again = stream.deliver()
    # then each of the 10 runs is counted once, though the retry found each of them stored twice over
    assert failing.fired == 1 and len(first.retried_from) == 1 and not again.retried_from
    expected = sum((c for c in (_expected_cost(b) for b in bodies) if c is not None), Decimal(0))
    assert _org_totals(tenant) == (10, expected)
