from tests.support.api import call


def test_liveness_answers_ok_without_credentials():
    reply = call("GET", "/health")
    assert reply.status == 200
    assert reply.json["status"] == "ok"


def test_detailed_health_reports_each_dependency_healthy_when_all_answer(aws):
    reply = call("GET", "/health/detailed")
    assert reply.status == 200, reply.text
    deps = reply.json["dependencies"]
    assert set(deps) == {"dynamodb", "kinesis", "kms", "stepfunctions"}
    assert all(d["status"] == "healthy" and d["latency_ms"] >= 0 for d in deps.values())


def test_detailed_health_is_503_when_a_secondary_dependency_is_missing(aws, monkeypatch):
    monkeypatch.setenv("RUNS_STREAM_NAME", "no-such-stream")
    from agentgate.platform.settings import reset_settings

    reset_settings()
    reply = call("GET", "/health/detailed")
    assert reply.status == 503
    assert reply.json["status"] == "unreachable"
    assert reply.json["dependencies"]["kinesis"]["status"] == "unreachable"
    assert reply.json["dependencies"]["dynamodb"]["status"] == "healthy"


def test_detailed_health_is_503_when_kms_is_unreachable(aws, monkeypatch):
    monkeypatch.setenv("SIGNING_KEY_ALIAS", "alias/no-such-key")
    from agentgate.platform.settings import reset_settings

    reset_settings()
    reply = call("GET", "/health/detailed")
    assert reply.status == 503
    assert reply.json["dependencies"]["kms"]["status"] == "unreachable"


def test_detailed_health_is_207_when_a_dependency_answers_slowly(aws, monkeypatch):
    from agentgate.services import health

    monkeypatch.setattr(health, "DEGRADED_AFTER_MS", -1.0)  # every answer counts as slow
    reply = call("GET", "/health/detailed")
    assert reply.status == 207
    assert reply.json["status"] == "degraded"
    assert {d["status"] for d in reply.json["dependencies"].values()} == {"degraded"}


def test_detailed_health_is_503_when_the_table_is_missing(aws, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    from agentgate.platform.settings import reset_settings

    reset_settings()
    reply = call("GET", "/health/detailed")
    assert reply.status == 503
    assert reply.json["status"] == "unreachable"


def test_tiers_are_served_from_the_tier_table():
    from agentgate.tiers import TIERS

    reply = call("GET", "/api/v1/tiers")
    assert reply.status == 200
    by_name = {t["name"]: t for t in reply.json["items"]}
    assert [t["name"] for t in reply.json["items"]] == ["free", "pro", "enterprise"]
    assert by_name["free"]["agent_limit"] == TIERS["free"].agent_limit == 10
    assert by_name["free"]["daily_quota"] == 1000
    assert by_name["pro"]["price_usd_month"] == str(TIERS["pro"].price_usd_month)


def test_openapi_document_is_served_and_lists_every_route():
    from agentgate.routes import ROUTES

    reply = call("GET", "/openapi.json")
    assert reply.status == 200
    doc = reply.json
    for route in ROUTES:
        assert route.method.lower() in doc["paths"][route.path]
