"""The local outbox: every email the stack would send, printed and listed at ``/_local/outbox``.

In AWS, Cognito emails an invited person their temporary password and a person resetting theirs a
code; offline nothing can be delivered. The local stack stands in for Cognito's mailer: moto's
Cognito (running in this process) is wrapped so that an invitation gets a temporary password as
Cognito would generate it, and each message Cognito would have sent lands here instead. The product's
own mail (``Outbox.send``) lands here too. ``/_local/`` is served by the local gateway only; no
route of the routes table, and so nothing in AWS, leads to it.
"""

from __future__ import annotations

import logging
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("infra.local.outbox")

# The console line a developer looks for; the message itself follows on the next lines.
BANNER = "=== outbox: email to {to} ({subject}) ==="


@dataclass(frozen=True)
class Message:
    id: str
    to: str
    subject: str
    body: str
    source: str  # "cognito" or "agentgate"
    kind: str  # invitation, password_reset, ...
    created_at: str
    data: dict[str, str] = field(default_factory=dict)  # the values a script needs (temporary_password...)


class Outbox:
    def __init__(self, printer: Callable[[str], None] | None = None) -> None:
        self._messages: list[Message] = []
        self._lock = threading.Lock()
        self._print = printer or (lambda text: print(text, flush=True))

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        *,
        source: str = "agentgate",
        kind: str = "notice",
        **data: str,
    ) -> Message:
        message = Message(
            id=f"msg_{secrets.token_hex(8)}",
            to=to,
            subject=subject,
            body=body,
            source=source,
            kind=kind,
            created_at=datetime.now(UTC).isoformat(),
            data=dict(data),
        )
        with self._lock:
            self._messages.append(message)
        self._print("\n".join([BANNER.format(to=to, subject=subject), body, "=" * 20]))
        return message

    def newest_first(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(m) for m in reversed(self._messages)]


def temporary_password(length: int = 12) -> str:
    """A password that meets the user pool's policy (upper, lower, digit, symbol), as Cognito issues."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return (
        secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.ascii_lowercase)
        + secrets.choice(string.digits)
        + core
        + secrets.choice("!#%+-=")
    )


def _email_of(user: Any) -> str:
    for attribute in getattr(user, "attributes", []) or []:
        if attribute.get("Name") == "email":
            return str(attribute.get("Value"))
    return str(user.username)


class CognitoMailer:
    """Wraps moto's Cognito backend so that the messages Cognito would email go to the outbox."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._originals: dict[str, Any] = {}

    def install(self) -> None:
        from moto.cognitoidp.models import CognitoIdpBackend

        if self._originals:
            return
        self._originals = {
            name: getattr(CognitoIdpBackend, name) for name in ("admin_create_user", "forgot_password")
        }
        mailer = self

        def admin_create_user(
            backend: Any,
            user_pool_id: str,
            username: str,
            message_action: str,
            temporary: str,
            attributes: list[dict[str, str]],
        ) -> Any:
            sends = message_action != "SUPPRESS"
            if sends and not temporary:
                temporary = temporary_password()  # Cognito generates one when the caller gave none
            user = mailer._originals["admin_create_user"](
                backend, user_pool_id, username, message_action, temporary, attributes
            )
            if sends:
                if message_action == "RESEND":
                    user.password = temporary
                mailer.outbox.send(
                    _email_of(user),
                    "Your temporary password",
                    (
                        f"Your username is {_email_of(user)} and your temporary password is {temporary}\n"
                        "Sign in with it and choose a new password "
                        '(POST /api/v1/auth/login with "new_password").'
                    ),
                    source="cognito",
                    kind="invitation",
                    username=_email_of(user),
                    temporary_password=temporary,
                )
            return user

        def forgot_password(backend: Any, client_id: str, username: str) -> Any:
            code, response = mailer._originals["forgot_password"](backend, client_id, username)
            for pool in backend.user_pools.values():
                user = pool._get_user(username) if client_id in pool.clients else None
                if user is not None:
                    # moto verifies only codes with its prefix; this one is checked on confirmation.
                    code = code or f"moto-confirmation-code:{secrets.randbelow(900_000) + 100_000}"
                    user.confirmation_code = code
                    mailer.outbox.send(
                        _email_of(user),
                        "Your password reset code",
                        f"Your password reset code is {code}",
                        source="cognito",
                        kind="password_reset",
                        username=_email_of(user),
                        confirmation_code=code,
                    )
            return code, response

        CognitoIdpBackend.admin_create_user = admin_create_user  # type: ignore[method-assign]
        CognitoIdpBackend.forgot_password = forgot_password  # type: ignore[method-assign]
        log.info("Cognito's emails go to the local outbox")

    def uninstall(self) -> None:
        from moto.cognitoidp.models import CognitoIdpBackend

        for name, original in self._originals.items():
            setattr(CognitoIdpBackend, name, original)
        self._originals = {}
