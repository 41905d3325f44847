"""Every item class of the single table, in one module.

Keys: tenant items live under ``pk = TENANT#<tenant_id>``; global lookups have their own
prefixes (``CLIENT#``, ``APIKEY#``, ``JTI#``, ``STRIPE#``...). The ``key_*`` functions
build keys so no caller spells them by hand. Sections are grouped by area; add new
classes to the section they belong to.
"""

from __future__ import annotations

import json
import zlib
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.constants import NUMBER

from agentgate.platform.table import Gsi1, Gsi2, TableModel


def tenant_pk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


# --- tenants and agents ------------------------------------------------------------------------


class TenantItem(TableModel):
    """pk=TENANT#<id>, sk=PROFILE. ``status`` is active or paused (the tenant-wide kill switch)."""

    SK = "PROFILE"

    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    tier = UnicodeAttribute(default="free")
    status = UnicodeAttribute(default="active")
    created_at = UTCDateTimeAttribute()
    paused_at = UTCDateTimeAttribute(null=True)
    # The tenant's own API Gateway API key (its usage plan is the tier): the authorizer's usageIdentifierKey.
    usage_key = UnicodeAttribute(null=True)
    usage_key_id = UnicodeAttribute(null=True)
    # Agents that exist now: changed only in the same transaction as the agent, so the tier limit holds.
    agent_count = NumberAttribute(default=0)
    # Owners that exist now: the last owner can be neither removed nor demoted (checked in the transaction).
    owner_count = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute(null=True)


class AgentItem(TableModel):
    """pk=TENANT#<id>, sk=AGENT#<agent_id>; gsi1 lists a tenant's agents by team, gsi2 by status."""

    SK_PREFIX = "AGENT#"

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    type = UnicodeAttribute(default="autonomous")
    provider = UnicodeAttribute(null=True)
    environment = UnicodeAttribute(default="production")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    team = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")
    scopes = UnicodeSetAttribute(default=set)
    published = BooleanAttribute(default=False)
    published_at = UTCDateTimeAttribute(null=True)
    # RFC 8707 resources a token of this agent may name as its audience.
    audiences = ListAttribute(of=UnicodeAttribute, default=list)
    # The A2A card's parts: skills [{id, name, description, tags}], interfaces [{url, protocol_binding}].
    skills = JSONAttribute(default=list)
    interfaces = JSONAttribute(default=list)
    agent_version = UnicodeAttribute(default="1.0.0")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    paused_reason = UnicodeAttribute(null=True)
    # The user who registered the agent: they may not decide the agent's approval requests.
    created_by = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()

    @staticmethod
    def sk_for(agent_id: str) -> str:
        return f"{AgentItem.SK_PREFIX}{agent_id}"


# --- identity: users, memberships, API keys, credentials, tokens, audit --------------------------


class MembershipItem(TableModel):
    """pk=TENANT#<id>, sk=MEMBER#<user_id>: a person's role and team in the tenant (user_id = Cognito sub)."""

    SK_PREFIX = "MEMBER#"

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    team = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")  # invited (temporary password not changed yet) | active
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def sk_for(user_id: str) -> str:
        return f"{MembershipItem.SK_PREFIX}{user_id}"


class UserItem(TableModel):
    """pk=USER#<sub>, sk=USER: the global lookup the authorizer reads (one get) for a Cognito token.

    It mirrors the membership (written in the same transaction) and the tenant's tier, usage-plan
    key and status (``agentgate.data.principals`` keeps them in step), so a request costs one read.
    """

    SK = "USER"

    user_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    team = UnicodeAttribute(null=True)
    # The tenant's facts, copied (None on an item written before they were: the authorizer reads the tenant)
    tier = UnicodeAttribute(null=True)
    usage_key = UnicodeAttribute(null=True)
    tenant_status = UnicodeAttribute(null=True)

    @staticmethod
    def pk_for(user_id: str) -> str:
        return f"USER#{user_id}"


class ApiKeyItem(TableModel):
    """pk=TENANT#<id>, sk=APIKEY#<key_id>: a tenant API key's metadata; the key itself is never stored."""

    SK_PREFIX = "APIKEY#"

    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scopes = UnicodeSetAttribute(default=set)
    key_hash = UnicodeAttribute()
    prefix = UnicodeAttribute()  # the first characters, so people can tell keys apart
    status = UnicodeAttribute(default="active")  # active | revoked
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    last_used_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def sk_for(key_id: str) -> str:
        return f"{ApiKeyItem.SK_PREFIX}{key_id}"


class ApiKeyLookupItem(TableModel):
    """pk=APIKEY#<sha256 of the key>, sk=APIKEY: what the authorizer reads (one get); deleted on revocation.

    It carries the tenant's tier, usage-plan key and status (``agentgate.data.principals`` keeps them
    in step) and the key's ``last_used_at`` (written at most once a minute, copied to the tenant's
    record when the key is revoked).
    """

    SK = "APIKEY"

    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    scopes = UnicodeSetAttribute(default=set)
    last_used_at = UTCDateTimeAttribute(null=True)
    # The tenant's facts, copied (None on an item written before they were: the authorizer reads the tenant)
    tier = UnicodeAttribute(null=True)
    usage_key = UnicodeAttribute(null=True)
    tenant_status = UnicodeAttribute(null=True)

    @staticmethod
    def pk_for(key_hash: str) -> str:
        return f"APIKEY#{key_hash}"


class AgentTagItem(TableModel):
    """pk=TENANT#<id>, sk=AGENTTAG#<tag>#<agent_id>: lists a tenant's agents by tag (a tag is one query)."""

    SK_PREFIX = "AGENTTAG#"

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    tag = UnicodeAttribute()

    @staticmethod
    def prefix_for(tag: str) -> str:
        return f"{AgentTagItem.SK_PREFIX}{tag}#"

    @staticmethod
    def sk_for(tag: str, agent_id: str) -> str:
        return f"{AgentTagItem.prefix_for(tag)}{agent_id}"


class AuditEntryItem(TableModel):
    """pk=TENANT#<id>, sk=AUDIT#<seq, 12 digits>: one link of the tenant's hash chain.

    ``hash`` = SHA-256(prev_hash + RFC 8785 JSON of the entry); ``details`` is that JSON's details part.
    """

    tenant_id = UnicodeAttribute()
    seq = NumberAttribute()
    at = UnicodeAttribute()  # RFC 3339, exactly the string that was hashed
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    details = JSONAttribute(default=dict)
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()

    @staticmethod
    def sk_for(seq: int) -> str:
        return f"AUDIT#{seq:012d}"


class AuditHeadItem(TableModel):
    """pk=TENANT#<id>, sk=AUDIT#HEAD: the chain's last seq and hash, and the last KMS-signed head.

    gsi1 (pk AUDIT_HEADS) lists every tenant's head for the periodic signing.
    """

    SK = "AUDIT#HEAD"
    GSI1PK = "AUDIT_HEADS"

    tenant_id = UnicodeAttribute()
    seq = NumberAttribute(default=0)
    hash = UnicodeAttribute()
    signed_seq = NumberAttribute(null=True)
    signed_hash = UnicodeAttribute(null=True)
    signature = UnicodeAttribute(null=True)  # base64 DER ECDSA over the canonical {tenant_id, seq, hash}
    signing_key_id = UnicodeAttribute(null=True)
    signed_at = UTCDateTimeAttribute(null=True)
    gsi1 = Gsi1()


class CredentialItem(TableModel):
    """pk=CLIENT#<client_id>, sk=CREDENTIAL: an agent's OAuth client; secrets are kept only as hashes.

    A rotation replaces ``secret_hash`` and keeps the old one valid until ``previous_secret_valid_until``.
    gsi1 lists an agent's credentials. ``expires_at`` (the table's TTL) is the credential's expiry:
    code treats a past value as expired, whether or not DynamoDB has removed the item yet.
    """

    SK = "CREDENTIAL"

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    credential_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    previous_secret_hash = UnicodeAttribute(null=True)
    previous_secret_valid_until = UTCDateTimeAttribute(null=True)
    status = UnicodeAttribute(default="active")  # active | revoked
    created_at = UTCDateTimeAttribute()
    rotated_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    gsi1 = Gsi1()

    @staticmethod
    def pk_for(client_id: str) -> str:
        return f"CLIENT#{client_id}"

    @staticmethod
    def gsi1pk_for(tenant_id: str, agent_id: str) -> str:
        return f"{tenant_pk(tenant_id)}#CREDENTIALS#{agent_id}"


class ActiveCredentialItem(TableModel):
    """pk=TENANT#<id>, sk=CREDENTIAL#<agent_id>: the agent's one active client (a second POST rotates it)."""

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    credential_id = UnicodeAttribute()

    @staticmethod
    def sk_for(agent_id: str) -> str:
        return f"CREDENTIAL#{agent_id}"


class PublishedSigningKey(MapAttribute):
    """A previous token-signing key: still in the JWKS until ``retire_after`` (its last token's expiry).

    ``kind`` "kms": ``key_id`` is the asymmetric KMS key that signs. "envelope": ``key_id`` is the KMS
    key that sealed ``sealed_private_key`` (``agentgate.auth.envelope``), ``public_key`` its SPKI DER.
    """

    key_id = UnicodeAttribute()
    kid = UnicodeAttribute()
    retire_after = UTCDateTimeAttribute()
    kind = UnicodeAttribute(default="kms")
    public_key = UnicodeAttribute(null=True)
    sealed_private_key = UnicodeAttribute(null=True)


class SigningKeysItem(TableModel):
    """pk=sk=SIGNING_KEYS: the key that signs tokens now, and the previous keys still published.

    The ``current_*`` attributes mean what ``PublishedSigningKey``'s do.
    """

    KEY = "SIGNING_KEYS"

    current_key_id = UnicodeAttribute()
    current_kid = UnicodeAttribute()
    current_kind = UnicodeAttribute(default="kms")
    current_public_key = UnicodeAttribute(null=True)
    current_sealed_private_key = UnicodeAttribute(null=True)
    current_signs_from = UTCDateTimeAttribute(null=True)  # None: rotated_at + the activation delay
    rotated_at = UTCDateTimeAttribute(null=True)
    previous = ListAttribute(of=PublishedSigningKey, default=list)


class RevokedTokenItem(TableModel):
    """pk=JTI#<jti>, sk=REVOKED: a revoked access token; ``expires_at`` (TTL) is the token's own expiry."""

    SK = "REVOKED"

    jti = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute()

    @staticmethod
    def pk_for(jti: str) -> str:
        return f"JTI#{jti}"


# --- runs, costs, budgets, analytics ---------------------------------------------------------------


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read back as an exact ``Decimal`` (money never passes through a float)."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return format(Decimal(value), "f")

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


def _unpacked(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A run's stored attributes with those packed in ``body`` restored (top-level ones win)."""
    body = values.get("body")
    if not body:
        return values
    packed = json.loads(zlib.decompress(body["B"]))
    return {**{name: {"S": value} for name, value in packed.items()}, **values}


class RunItem(TableModel):
    """pk=TENANT#<id>, sk=RUN#<run_id> (the client's run id: the dedup key).

    gsi1: the tenant's runs by start time (``TENANT#<id>#RUNS`` / ``<start>#<run_id>``);
    gsi2: one agent's runs by start time (``TENANT#<id>#AGENT#<agent_id>#RUNS``).
    """

    tenant_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    team = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    start_time = UTCDateTimeAttribute()
    end_time = UTCDateTimeAttribute(null=True)
    latency_ms = NumberAttribute(null=True)
    model = UnicodeAttribute(null=True)
    provider = UnicodeAttribute(null=True)
    input_tokens = NumberAttribute(default=0)
    output_tokens = NumberAttribute(default=0)
    cache_read_tokens = NumberAttribute(default=0)
    cache_write_tokens = NumberAttribute(default=0)
    cache_write_1h_tokens = NumberAttribute(default=0)
    cost_usd = DecimalAttribute(null=True)
    unpriced = BooleanAttribute(default=False)
    price_version = UnicodeAttribute(null=True)
    cost_breakdown = JSONAttribute(null=True)  # bucket -> USD as a decimal string
    # Runs from OpenTelemetry: the spans merged so far, and a counter each merge conditions on.
    span_ids = UnicodeSetAttribute(null=True)
    merge_version = NumberAttribute(null=True)
    unpriced_calls = NumberAttribute(null=True)
    input = JSONAttribute(null=True)
    output = JSONAttribute(null=True)
    external_reference = UnicodeAttribute(null=True)
    policy_decisions = JSONAttribute(null=True)
    event_count = NumberAttribute(default=0)
    # The run's events in timeline order, zlib-compressed JSON (see services.run_events); runs stored
    # before events were embedded keep them as RunEventItems.
    events = BinaryAttribute(null=True, legacy_encoding=False)
    # The ingestion commit that counts this run (see services.runs_batch): its IngestCommitItem.
    commit_id = UnicodeAttribute(null=True)
    content_hash = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    stored_at = UTCDateTimeAttribute()
    gsi1 = Gsi1()
    gsi2 = Gsi2()

    # Attributes read only with the run, never updated in place by an ADD nor named in a filter:
    # stored together, compressed, in ``body`` (a run's put is 1 write unit per KB). An update that
    # SETs one of them (a trace merge) writes it at the top level, which then wins over ``body``.
    PACKED: tuple[str, ...] = (
        "input", "output", "cost_breakdown", "policy_decisions", "content_hash", "received_at",
        "stored_at", "end_time", "price_version", "external_reference",
    )  # fmt: skip

    def _container_serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        data = super()._container_serialize(null_check=null_check)
        packed = {name: data.pop(name)["S"] for name in self.PACKED if name in data}
        if packed:
            data["body"] = {"B": zlib.compress(json.dumps(packed, separators=(",", ":")).encode(), 9)}
        return data

    def _container_deserialize(self, attribute_values: dict[str, dict[str, Any]]) -> None:
        super()._container_deserialize(_unpacked(attribute_values))

    @classmethod
    def _instantiate(cls, attribute_values: dict[str, dict[str, Any]]) -> Any:
        return super()._instantiate(_unpacked(attribute_values))

    @staticmethod
    def sk_for(run_id: str) -> str:
        return f"RUN#{run_id}"

    @staticmethod
    def tenant_runs_key(tenant_id: str) -> str:
        return f"{tenant_pk(tenant_id)}#RUNS"

    @staticmethod
    def agent_runs_key(tenant_id: str, agent_id: str) -> str:
        return f"{tenant_pk(tenant_id)}#AGENT#{agent_id}#RUNS"


class IngestCommitItem(TableModel):
    """pk=TENANT#<id>, sk=INGEST#<commit id>: one commit of the runs consumer's counters.

    ``committed`` is written in the same transaction as the counters it adds; ``void`` is written
    when a later batch takes over the commit's runs (the commit can then never be written). It lives
    as long as the runs it counts, so a resend of any of them finds it.
    """

    state = UnicodeAttribute()  # committed | void
    shard = UnicodeAttribute(null=True)  # the stream shard and sequence range of the runs it counts
    first_sequence = UnicodeAttribute(null=True)
    last_sequence = UnicodeAttribute(null=True)

    @staticmethod
    def sk_for(commit_id: str) -> str:
        return f"INGEST#{commit_id}"


class RunEventItem(TableModel):
    """pk=TENANT#<id>, sk=RUNEV#<run_id>#<seq>: a run's events in timeline order."""

    run_id = UnicodeAttribute()
    seq = NumberAttribute()
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    timestamp = UTCDateTimeAttribute()
    payload = JSONAttribute(null=True)

    @staticmethod
    def prefix_for(run_id: str) -> str:
        return f"RUNEV#{run_id}#"

    @staticmethod
    def sk_for(run_id: str, seq: int) -> str:
        return f"RUNEV#{run_id}#{seq:05d}"


# Upper bounds (ms) of the latency histogram kept in each daily counter; the last bucket is open.
LATENCY_BUCKETS_MS: tuple[int, ...] = (
    50, 100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000,
    5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 900_000,
)  # fmt: skip


def latency_bucket_attribute(index: int) -> str:
    return f"lat_{index:02d}"


class CostDayItem(TableModel):
    """pk=TENANT#<id>, sk=COSTDAY#<scope>#<scope_id>#<date>: a day's runs, cost and latency histogram.

    scope is org (scope_id "-"), agent or team. gsi1 lists one day's agent counters
    (``TENANT#<id>#COSTDAY#<date>#<scope>`` / scope_id) for top-agent rankings.
    """

    scope = UnicodeAttribute(null=True)
    scope_id = UnicodeAttribute(null=True)
    day = UnicodeAttribute(null=True)
    cost_usd = DecimalAttribute(default=Decimal)
    runs = NumberAttribute(default=0)
    unpriced_runs = NumberAttribute(default=0)
    errors = NumberAttribute(default=0)
    input_tokens = NumberAttribute(default=0)
    output_tokens = NumberAttribute(default=0)
    gsi1 = Gsi1()

    for _index in range(len(LATENCY_BUCKETS_MS) + 1):
        locals()[latency_bucket_attribute(_index)] = NumberAttribute(default=0)
    del _index

    @staticmethod
    def prefix_for(scope: str, scope_id: str) -> str:
        return f"COSTDAY#{scope}#{scope_id}#"

    @staticmethod
    def sk_for(scope: str, scope_id: str, day: str) -> str:
        return f"COSTDAY#{scope}#{scope_id}#{day}"

    @staticmethod
    def day_index_key(tenant_id: str, day: str, scope: str) -> str:
        return f"{tenant_pk(tenant_id)}#COSTDAY#{day}#{scope}"

    def latency_histogram(self) -> list[int]:
        buckets = range(len(LATENCY_BUCKETS_MS) + 1)
        return [int(getattr(self, latency_bucket_attribute(i)) or 0) for i in buckets]


class BudgetItem(TableModel):
    """pk=TENANT#<id>, sk=BUDGET#<budget_id>."""

    SK_PREFIX = "BUDGET#"

    budget_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    scope = UnicodeAttribute()  # org | team | agent
    scope_id = UnicodeAttribute(null=True)
    max_amount_usd = DecimalAttribute()
    period = UnicodeAttribute()  # daily | weekly | monthly
    threshold_alert_percent = NumberAttribute(default=80)
    auto_pause_at_percent = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def sk_for(budget_id: str) -> str:
        return f"{BudgetItem.SK_PREFIX}{budget_id}"


class BudgetSpendItem(TableModel):
    """pk=TENANT#<id>, sk=BSPEND#<budget_id>#<period_start>: spend of one budget period.

    Updated in the same transaction as a run's first insert; ``alerted_at`` / ``paused_at`` are
    set once per period by a conditional write, so the alert and the pause happen once.
    """

    spend_usd = DecimalAttribute(default=Decimal)
    runs = NumberAttribute(default=0)
    alerted_at = UTCDateTimeAttribute(null=True)
    paused_at = UTCDateTimeAttribute(null=True)
    # Money held by open reservations, and spend + reserved: the one number a reservation's
    # condition compares with the budget (DynamoDB conditions cannot add two attributes).
    reserved_usd = DecimalAttribute(null=True)
    committed_usd = DecimalAttribute(null=True)

    @staticmethod
    def sk_for(budget_id: str, period_start: str) -> str:
        return f"BSPEND#{budget_id}#{period_start}"


class BudgetReservationItem(TableModel):
    """pk=TENANT#<id>, sk=RESERVATION#<authorization_id>: money /authorize held against budgets.

    While ``reserved`` it sits in gsi1 under ``RESERVATIONS#OPEN`` ordered by expiry, so the release
    timer finds the expired ones of every tenant; settling or releasing it removes it from the index.
    """

    OPEN_INDEX_KEY = "RESERVATIONS#OPEN"

    authorization_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    amount_usd = DecimalAttribute()
    spend_sks = ListAttribute(of=UnicodeAttribute, default=list)  # the BudgetSpendItem periods held
    status = UnicodeAttribute(default="reserved")  # reserved | settled | released
    created_at = UTCDateTimeAttribute()
    release_at = UTCDateTimeAttribute()  # when the timer releases it unless a run settled it first
    settled_by_run = UnicodeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    gsi1 = Gsi1()

    @staticmethod
    def sk_for(authorization_id: str) -> str:
        return f"RESERVATION#{authorization_id}"


class PriceOverrideItem(TableModel):
    """pk=TENANT#<id>, sk=PRICE#<provider>#<model_pattern>: a tenant's negotiated price for a model."""

    SK_PREFIX = "PRICE#"

    provider = UnicodeAttribute()
    model_pattern = UnicodeAttribute()
    effective_from = UnicodeAttribute()
    input_per_million = DecimalAttribute()
    output_per_million = DecimalAttribute()
    cache_read_per_million = DecimalAttribute()
    cache_write_per_million = DecimalAttribute()
    label = UnicodeAttribute()

    @staticmethod
    def sk_for(provider: str, model_pattern: str) -> str:
        return f"{PriceOverrideItem.SK_PREFIX}{provider}#{model_pattern}"


class AnalyticsHourItem(TableModel):
    """pk=TENANT#<id>, sk=AN#H#<yyyy-mm-ddThh>#<kind>#<agent_id or ->: hourly counters of one kind."""

    kind = UnicodeAttribute(null=True)
    hour = UnicodeAttribute(null=True)
    agent_id = UnicodeAttribute(null=True)
    hits = NumberAttribute(default=0)
    allowed = NumberAttribute(default=0)
    denied = NumberAttribute(default=0)
    pending = NumberAttribute(default=0)
    errors = NumberAttribute(default=0)

    @staticmethod
    def sk_for(hour: str, kind: str, agent_id: str) -> str:
        return f"AN#H#{hour}#{kind}#{agent_id}"

    @staticmethod
    def day_prefix(day: str) -> str:
        return f"AN#H#{day}T"


class AnalyticsSeenItem(TableModel):
    """pk=TENANT#<id>, sk=AN#SEEN#<record id>: an analytics record already counted (short TTL)."""

    @staticmethod
    def sk_for(record_id: str) -> str:
        return f"AN#SEEN#{record_id}"


class AnalyticsActiveTenantItem(TableModel):
    """pk=ANALYTICS#ACTIVE#<date>, sk=TENANT#<id>: tenants with analytics that day (the rollup's worklist)."""

    tenant_id = UnicodeAttribute()
    tier = UnicodeAttribute(default="free")

    @staticmethod
    def pk_for(day: str) -> str:
        return f"ANALYTICS#ACTIVE#{day}"


class AnalyticsDayItem(TableModel):
    """pk=TENANT#<id>, sk=AN#D#<date>: the daily rollup built by the timer after midnight UTC."""

    day = UnicodeAttribute()
    tokens_issued = NumberAttribute(default=0)
    api_calls = NumberAttribute(default=0)
    api_errors = NumberAttribute(default=0)
    authorizations_allowed = NumberAttribute(default=0)
    authorizations_denied = NumberAttribute(default=0)
    authorizations_pending = NumberAttribute(default=0)
    heatmap = JSONAttribute(default=dict)  # agent_id -> 24 activity counts (UTC hours)
    built_at = UTCDateTimeAttribute()

    @staticmethod
    def sk_for(day: str) -> str:
        return f"AN#D#{day}"


# --- governance: policies, approvals, webhooks -----------------------------------------------------


class PolicyItem(TableModel):
    """pk=TENANT#<id>, sk=POLICY#<policy_id>: one governance policy (conditions kept as validated JSON)."""

    SK_PREFIX = "POLICY#"

    policy_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    scope_agents = ListAttribute(of=UnicodeAttribute, default=list)
    scope_teams = ListAttribute(of=UnicodeAttribute, default=list)
    conditions = JSONAttribute(null=True)
    action = UnicodeAttribute()  # allow | deny | require_approval
    approvers = ListAttribute(of=UnicodeAttribute, default=list)
    escalation_approvers = ListAttribute(of=UnicodeAttribute, default=list)
    approval_timeout_seconds = NumberAttribute(null=True)
    status = UnicodeAttribute(default="active")  # active | disabled
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    four_eyes = BooleanAttribute(null=True)  # None: the tenant's default (GovernanceSettingsItem)

    @staticmethod
    def sk_for(policy_id: str) -> str:
        return f"{PolicyItem.SK_PREFIX}{policy_id}"


class GovernanceSettingsItem(TableModel):
    """pk=TENANT#<id>, sk=SETTINGS#GOVERNANCE: the decision when no policy matches (allow unless set)."""

    SK = "SETTINGS#GOVERNANCE"

    default_decision = UnicodeAttribute(default="allow")  # allow | deny
    updated_at = UTCDateTimeAttribute(null=True)
    four_eyes = BooleanAttribute(null=True)  # the default of policies that do not say (False when unset)
    reservation_ttl_seconds = NumberAttribute(null=True)  # budget reservations (3600 when unset)


class ApprovalItem(TableModel):
    """pk=TENANT#<id>, sk=APPROVAL#<approval_id>: a request waiting for a person, and its outcome.

    gsi1 lists the tenant's approvals newest first (``TENANT#<id>#APPROVALS`` / ``<created_at>#<id>``);
    gsi2 lists one agent's (``TENANT#<id>#AGENT#<agent_id>#APPROVALS``). ``task_token`` is the
    Step Functions token of the wait in progress (``stage`` initial, then escalated).
    """

    approval_id = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | approved | rejected | expired
    stage = UnicodeAttribute(default="initial")  # initial | escalated
    requested_by = UnicodeAttribute()  # the agent id
    requester_owner = UnicodeAttribute(null=True)  # the user who registered the agent
    four_eyes = BooleanAttribute(null=True)  # the registrant may not decide (from the policies behind it)
    action = UnicodeAttribute()
    resource = UnicodeAttribute(null=True)
    context = JSONAttribute(null=True)
    estimated_cost_usd = UnicodeAttribute(null=True)
    policy_ids = ListAttribute(of=UnicodeAttribute, default=list)
    approvers = ListAttribute(of=UnicodeAttribute, default=list)
    escalation_approvers = ListAttribute(of=UnicodeAttribute, default=list)
    timeout_seconds = NumberAttribute()
    task_token = UnicodeAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    escalated_at = UTCDateTimeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()

    @staticmethod
    def sk_for(approval_id: str) -> str:
        return f"APPROVAL#{approval_id}"

    @staticmethod
    def tenant_index_key(tenant_id: str) -> str:
        return f"{tenant_pk(tenant_id)}#APPROVALS"

    @staticmethod
    def agent_index_key(tenant_id: str, agent_id: str) -> str:
        return f"{tenant_pk(tenant_id)}#AGENT#{agent_id}#APPROVALS"


class DomainEventItem(TableModel):
    """pk=TENANT#<id>, sk=EVENT#<occurred_at>#<event_id>: a domain event (kept 30 days, TTL)."""

    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    data = JSONAttribute(default=dict)
    occurred_at = UnicodeAttribute()  # RFC 3339, exactly what webhook payloads carry

    @staticmethod
    def sk_for(occurred_at: str, event_id: str) -> str:
        return f"EVENT#{occurred_at}#{event_id}"


class WebhookItem(TableModel):
    """pk=TENANT#<id>, sk=WEBHOOK#<webhook_id>: an outbound subscription.

    ``secret`` is the whsec_ signing secret, kept as-is: signing needs it, and the table is
    encrypted at rest with a KMS key; the API shows it once, at creation.
    """

    SK_PREFIX = "WEBHOOK#"

    webhook_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute, default=list)
    secret = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="active")
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()

    @staticmethod
    def sk_for(webhook_id: str) -> str:
        return f"{WebhookItem.SK_PREFIX}{webhook_id}"


class WebhookDeliveryItem(TableModel):
    """pk=TENANT#<id>, sk=WHDELIVERY#<webhook_id>#<delivery_id>: one event to one subscription.

    ``attempts`` logs every try (time, status code or error, duration); the delivery id is a
    time-ordered id, so a query lists deliveries in order.
    """

    webhook_id = UnicodeAttribute()
    delivery_id = UnicodeAttribute()
    event_id = UnicodeAttribute()  # the webhook-id header: the receiver's idempotency key
    event_type = UnicodeAttribute()
    payload = JSONAttribute()
    status = UnicodeAttribute(default="pending")  # pending | retrying | delivered | failed
    attempts = JSONAttribute(default=list)
    created_at = UTCDateTimeAttribute()
    delivered_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def prefix_for(webhook_id: str) -> str:
        return f"WHDELIVERY#{webhook_id}#"

    @staticmethod
    def sk_for(webhook_id: str, delivery_id: str) -> str:
        return f"WHDELIVERY#{webhook_id}#{delivery_id}"


# --- billing: Stripe customers, subscriptions, webhook events, usage reports -----------------------


class BillingItem(TableModel):
    """pk=TENANT#<id>, sk=BILLING: the tenant's Stripe customer and subscription, as last applied.

    ``last_event_created`` is Stripe's ``created`` of the newest event applied: an older event of
    the same subscription changes nothing (events arrive out of order and more than once).
    """

    SK = "BILLING"

    tenant_id = UnicodeAttribute()
    stripe_customer_id = UnicodeAttribute(null=True)
    stripe_subscription_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="none")  # none | active | past_due | canceled
    plan_tier = UnicodeAttribute(null=True)  # the tier the subscription pays for
    current_period_end = UTCDateTimeAttribute(null=True)
    cancel_at_period_end = BooleanAttribute(default=False)
    last_event_created = NumberAttribute(null=True)
    last_event_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)


class StripeCustomerItem(TableModel):
    """pk=STRIPE#CUSTOMER#<customer id>, sk=CUSTOMER: which tenant a Stripe customer belongs to."""

    SK = "CUSTOMER"

    tenant_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def pk_for(customer_id: str) -> str:
        return f"STRIPE#CUSTOMER#{customer_id}"


class StripeEventItem(TableModel):
    """pk=STRIPE#EVENT#<event id>, sk=EVENT: a webhook event accepted once (TTL past Stripe's retries)."""

    SK = "EVENT"

    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    created = NumberAttribute()  # Stripe's ``created`` of the event
    status = UnicodeAttribute(default="queued")  # queued | applied | stale
    received_at = UTCDateTimeAttribute()
    applied_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def pk_for(event_id: str) -> str:
        return f"STRIPE#EVENT#{event_id}"


class MeterReportItem(TableModel):
    """pk=TENANT#<id>, sk=METER#<date>#<usage>: a day's usage sent to a Stripe meter (sent once)."""

    day = UnicodeAttribute()
    usage = UnicodeAttribute()  # api_calls | runs
    event_name = UnicodeAttribute()
    identifier = UnicodeAttribute()  # the meter event's identifier: Stripe refuses a second one
    value = NumberAttribute()
    reported_at = UTCDateTimeAttribute()

    @staticmethod
    def sk_for(day: str, usage: str) -> str:
        return f"METER#{day}#{usage}"


# --- federation and the agent ecosystem -------------------------------------------------------------


class TrustPolicyItem(TableModel):
    """pk=TENANT#<id>, sk=TRUSTPOLICY#<policy_id>: which external ID tokens may act as which agent.

    gsi1 lists every tenant's policies of one issuer (``TRUSTISSUER#<issuer>`` / ``<tenant>#<id>``):
    the token endpoint evaluates them all for a presented ID token.
    """

    SK_PREFIX = "TRUSTPOLICY#"

    policy_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    issuer = UnicodeAttribute()
    audience = UnicodeAttribute()
    claims = JSONAttribute(default=dict)
    agent_id = UnicodeAttribute()
    scopes = UnicodeSetAttribute(default=set)
    max_token_ttl_seconds = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    gsi1 = Gsi1()

    @staticmethod
    def sk_for(policy_id: str) -> str:
        return f"{TrustPolicyItem.SK_PREFIX}{policy_id}"

    @staticmethod
    def issuer_index_key(issuer: str) -> str:
        return f"TRUSTISSUER#{issuer}"


class FederatedJtiItem(TableModel):
    """pk=FEDJTI#<sha256 of issuer + jti>, sk=USED: an external ID token already exchanged (TTL: exp)."""

    SK = "USED"

    issuer = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    used_at = UTCDateTimeAttribute()

    @staticmethod
    def pk_for(digest: str) -> str:
        return f"FEDJTI#{digest}"


class MarketplaceEntryItem(TableModel):
    """pk=MARKETPLACE, sk=AGENT#<agent_id>: the public face of a published agent, nothing private.

    Written in the same transaction as the agent's ``published`` flag; ``search`` is the lower-cased
    name, description and skills the ``q`` filter reads, ``tags_text`` the tags between spaces.
    """

    PK = "MARKETPLACE"

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    organization = UnicodeAttribute(default="")
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    agent_version = UnicodeAttribute(default="1.0.0")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    skills = JSONAttribute(default=list)
    interfaces = JSONAttribute(default=list)
    search = UnicodeAttribute(default="")
    tags_text = UnicodeAttribute(default=" ")
    published_at = UTCDateTimeAttribute()

    @staticmethod
    def sk_for(agent_id: str) -> str:
        return f"AGENT#{agent_id}"


class ComplianceReportItem(TableModel):
    """pk=TENANT#<id>, sk=COMPLIANCE#REPORT: the last report, served again until ``expires_at``."""

    SK = "COMPLIANCE#REPORT"

    report = JSONAttribute()
    generated_at = UTCDateTimeAttribute()
