"""The local outbox stands in for Cognito's mailer: an invited member reads their temporary password there."""

import pytest

from agentgate.platform.tenancy import Role
from infra.local.gateway import LocalActions
from infra.local.outbox import CognitoMailer, Outbox, temporary_password
from tests.support.api import call
from tests.support.identity import as_role, new_tenant


@pytest.fixture
def outbox(aws):
    printed: list[str] = []
    box = Outbox(printer=printed.append)
    box.printed = printed  # type: ignore[attr-defined]
    mailer = CognitoMailer(box)
    mailer.install()
    yield box
    mailer.uninstall()


def test_an_invitation_lands_in_the_outbox_and_its_temporary_password_signs_in(outbox):
    _, owner = new_tenant()
    invited = call(
        "POST",
        "/api/v1/org-members",
        body={"email": "new@acme.test", "role": "member"},
        ctx=as_role(owner, Role.ADMIN),
    )
    assert invited.status == 201, invited.text

    [message] = outbox.newest_first()
    assert (message["to"], message["kind"], message["source"]) == ("new@acme.test", "invitation", "cognito")
    temporary = message["data"]["temporary_password"]
    assert temporary in message["body"]
    assert any(temporary in line for line in outbox.printed)

    login = {"email": "new@acme.test", "password": temporary}
    assert call("POST", "/api/v1/auth/login", body=login).json["error"]["code"] == "new_password_required"
    chosen = call("POST", "/api/v1/auth/login", body=login | {"new_password": "A-brand-new-passphrase-2"})
    assert chosen.status == 200, chosen.text
    assert chosen.json["tokens"]["access_token"]


def test_a_signup_sends_nothing_because_its_password_is_chosen_by_the_owner(outbox):
    new_tenant()

    assert outbox.newest_first() == []


def test_the_outbox_lists_newest_first_at_the_local_endpoint():
    box = Outbox(printer=lambda text: None)
    box.send("a@x.test", "first", "one")
    box.send("b@x.test", "second", "two")
    actions = LocalActions({}, outbox=box.newest_first)

    reply = actions.handle("GET", "/_local/outbox")
    refused = actions.handle("POST", "/_local/outbox")

    assert reply.status == 200
    assert [m["subject"] for m in reply.json()["items"]] == ["second", "first"]
    assert refused.status == 405
    assert refused.header("Allow") == "GET, HEAD"


def test_temporary_passwords_meet_the_pool_policy():
    for _ in range(50):
        password = temporary_password()
        assert len(password) >= 12
        assert any(c.isupper() for c in password) and any(c.islower() for c in password)
        assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)
