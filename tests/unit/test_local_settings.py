"""The local stack's setting defaults yield to what a developer exported."""

from infra.local.stack import apply_setting_defaults


def test_loopback_webhooks_are_allowed_locally_by_default():
    environ: dict[str, str] = {}

    apply_setting_defaults(environ)

    assert environ["ALLOW_LOOPBACK_WEBHOOKS"] == "true"


def test_an_exported_allow_loopback_webhooks_false_is_honoured():
    environ = {"ALLOW_LOOPBACK_WEBHOOKS": "false", "ACCESS_TOKEN_TTL_SECONDS": "60"}

    apply_setting_defaults(environ)

    assert environ["ALLOW_LOOPBACK_WEBHOOKS"] == "false"
    assert environ["ACCESS_TOKEN_TTL_SECONDS"] == "60"
    assert environ["TOKEN_AUDIENCE"] == "agentgate"  # the others still get their local value
