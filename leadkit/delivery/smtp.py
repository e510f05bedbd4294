"""Sending mail with the standard library: STARTTLS and login when asked, retries when it helps.

A temporary refusal (4xx) or a network failure is tried again after a pause that doubles;
a permanent one (5xx) or a failed login is reported at once. The password comes from
``LEADKIT_SMTP_PASSWORD`` and never reaches a message: every server text is masked
(as written, base64, URL- or hex-encoded) before it is repeated.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from leadkit.log import get_logger
from leadkit.params import SMTP_PASSWORD_ENV, Smtp
from leadkit.redact import Redactor

log = get_logger("delivery")


class SendError(Exception):
    """A message the server did not accept; ``text`` is safe to show (the password masked)."""

    def __init__(self, text: str, permanent: bool) -> None:
        super().__init__(text)
        self.text = text
        self.permanent = permanent


@dataclass
class Mailer:
    """Sends messages through one server; ``sleep`` is replaceable so tests need not wait."""

    smtp: Smtp
    password: str | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)

    @classmethod
    def from_env(cls, smtp: Smtp) -> Mailer:
        password = os.environ.get(SMTP_PASSWORD_ENV) or None
        return cls(smtp, password)

    def __post_init__(self) -> None:
        self.redact = Redactor(*([self.password] if self.password else []))
        if self.smtp.username and not self.password:
            log.warning("smtp.username is set but %s is empty: sending without logging in fails", SMTP_PASSWORD_ENV)

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` to every recipient in its headers, or raise ``SendError``."""
        retrying = Retrying(
            stop=stop_after_attempt(self.smtp.retries + 1),
            wait=wait_exponential(multiplier=self.smtp.backoff, max=float("inf")),
            retry=retry_if_exception(lambda exc: isinstance(exc, SendError) and not exc.permanent),
            sleep=self.sleep,
            before_sleep=lambda state: log.info(
                "temporary failure (%s); trying again in %.1f s",
                getattr(state.outcome.exception() if state.outcome else None, "text", "?"),
                state.upcoming_sleep,
            ),
            reraise=True,
        )
        retrying(self._send_once, message)

    def _send_once(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout) as server:
                server.ehlo()
                if self.smtp.starttls:
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
                if self.smtp.username:
                    server.login(self.smtp.username, self.password or "")
                refused = server.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"login as {self.smtp.username} refused: {self._said(exc)}", permanent=True) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            said = "; ".join(f"{to}: {code} {self._text(m)}" for to, (code, m) in exc.recipients.items())
            raise SendError(f"recipient refused: {said}", permanent=all(c >= 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(self._said(exc), permanent=not 400 <= exc.smtp_code < 500) from None
        except ssl.SSLError as exc:
            raise SendError(f"STARTTLS failed: {self.redact.echo(str(exc))}", permanent=True) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SendError(f"the server does not support this: {self.redact.echo(str(exc))}", True) from None
        except (OSError, smtplib.SMTPException) as exc:  # refused connection, timeout, dropped line
            where = f"{self.smtp.host}:{self.smtp.port}"
            raise SendError(f"{where}: {type(exc).__name__}: {self.redact.echo(str(exc))}", permanent=False) from None
        if refused:  # some recipients accepted, some not: the message is not whole
            said = "; ".join(f"{to}: {code} {self._text(m)}" for to, (code, m) in refused.items())
            raise SendError(f"recipient refused: {said}", permanent=True)

    def _text(self, raw: bytes | str) -> str:
        return self.redact.echo(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))

    def _said(self, exc: smtplib.SMTPResponseException) -> str:
        return f"{exc.smtp_code} {self._text(exc.smtp_error)}"
