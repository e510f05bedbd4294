"""A real SMTP server for the delivery tests (aiosmtpd on 127.0.0.1, a free port).

It keeps every message it accepted, and can be told to refuse a recipient, to fail the
n-th message permanently, to fail temporarily a number of times, to require a login, and
to offer STARTTLS with a certificate from a throwaway CA (trustme).
"""

from __future__ import annotations

import email
import socket
import ssl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Handler:
    accepted: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_message: int | None = None  # the n-th DATA (1-based) gets a permanent 554
    temporary_failures: int = 0  # so many DATA commands get 451 first
    data_seen: int = 0
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_seen += 1
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 4.3.0 please try again later"
        if self.fail_message == self.data_seen:
            return "554 5.6.0 message rejected"
        self.accepted.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 queued"

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in self.accepted]  # type: ignore[misc]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for (_, rcpt, _), m in zip(self.accepted, self.messages, strict=True) if address in rcpt]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    handler: Handler
    port: int


@contextmanager
def smtp_server(
    *, password: str | None = None, tls: ssl.SSLContext | None = None, handler: Handler | None = None
) -> Iterator[Server]:
    """A running server; with ``password`` it requires a login (user "reports") with that password."""
    handler = handler or Handler()
    kwargs: dict[str, Any] = {}
    if password is not None:

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and data.login == b"reports" and data.password == password.encode()
            if isinstance(data, LoginPassword):
                handler.logins.append((data.login, data.password))
            return AuthResult(success=ok, handled=False)

        kwargs |= {"authenticator": authenticate, "auth_required": True, "auth_require_tls": tls is not None}
    if tls is not None:
        kwargs |= {"tls_context": tls, "require_starttls": True}
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    with warnings.catch_warnings():  # a login without TLS is what a test of "starttls: false" wants
        warnings.simplefilter("ignore", UserWarning)
        controller.start()
    try:
        yield Server(handler, port)
    finally:
        controller.stop()
