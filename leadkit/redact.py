"""What of a server's answer may be repeated to the user: credentials removed by structure, then by value.

A server may echo anything it was sent — the request path with ``?token=…``, the
``Authorization`` header, the key in a JSON field — and may echo it transformed
(URL-encoded, upper-case, base64, hex). So nothing from an answer is repeated as is:
headers never; of a JSON body only its message, with credential-like fields dropped;
URLs without their query; ``Bearer …`` and ``token=…`` pairs masked; then every known
secret masked in its common encodings; and at most ``LIMIT`` characters of it.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import weakref
from typing import Any

MASK = "***"
LIMIT = 200
MESSAGE_FIELDS = ("message", "error", "detail", "description", "errors")
_CREDENTIAL_KEY = re.compile(r"token|key|secret|passw|pwd|auth|credential|session|cookie|signature", re.IGNORECASE)
_QUERY = re.compile(r"\?[^\s\"'<>]*=[^\s\"'<>]*")
_SCHEME_AUTH = re.compile(r"\b(bearer|basic|digest)(\s+)[\w.~+/=%-]+", re.IGNORECASE)
_HEADER_LIST = re.compile(r"\[\(b['\"].*\]", re.DOTALL)
_PAIR = re.compile(
    r"""(\b(?:access_token|refresh_token|token|api[_-]?key|apikey|secret|password|passwd|pwd|authorization)"""
    r"""["']?\s*[:=]\s*["']?)[^\s"'&,;}]+""",
    re.IGNORECASE,
)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _char(c: str) -> str:
    """A pattern for one character of a secret, as written or in any URL, JSON or HTML escape."""
    code = ord(c)
    forms = [re.escape(c), f"%{code:02x}", f"%25{code:02x}", f"\\\\u{code:04x}", f"&#{code};", f"&#x0*{code:x};"]
    if c == " ":
        forms.append(r"\+")
    if c == "/":
        forms.append(r"\\/")
    return "(?:" + "|".join(forms) + ")"


def _base64_cores(secret: bytes) -> set[str]:
    """Base64 of ``secret`` at each alignment: the characters that depend on the secret alone.

    Inside a longer encoded text (``Basic base64(user:key)``) the secret starts at any byte
    offset; the part of its encoding not shared with neighbouring bytes is still fixed.
    """
    cores = set()
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * offset + secret).decode()
            first, end = -(-offset * 8 // 6), (offset + len(secret)) * 8 // 6
            cores.add(text[first:end])
    return {c for c in cores if len(c) >= 4}


def _pattern(secret: str) -> re.Pattern[str]:
    raw = secret.encode("utf-8", "replace")
    literal = sorted(_base64_cores(raw) | {base64.b32encode(raw).decode().rstrip("=")}, key=len, reverse=True)
    forms = ["".join(_char(c) for c in secret), re.escape(raw.hex()), *(re.escape(x) for x in literal)]
    # Any case: the secret may be echoed lower- or upper-case; for base64 this can only mask more.
    return re.compile("|".join(f"(?:{f})" for f in forms), re.IGNORECASE)


class Redactor:
    """Masks a client's secrets (the key, every token it was given) in any text."""

    def __init__(self, *secrets: str) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {}
        for secret in secrets:
            self.add(secret)
        _ACTIVE.add(self)

    def add(self, secret: str | None) -> None:
        if secret and secret not in self._patterns:
            self._patterns[secret] = _pattern(secret)

    def __call__(self, text: str) -> str:
        """``text`` with credentials masked, structurally and then by value."""
        text = _PAIR.sub(rf"\1{MASK}", _SCHEME_AUTH.sub(rf"\1\2{MASK}", text))
        text = _QUERY.sub("?…", text)
        for pattern in self._patterns.values():
            text = pattern.sub(MASK, text)
        return text

    def echo(self, text: str) -> str:
        """Server text fit to repeat: one line, printable, masked, at most ``LIMIT`` characters."""
        text = self(" ".join(_UNPRINTABLE.sub(" ", text).split()))
        return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"

    def message(self, body: Any) -> str:
        """The message of a decoded JSON answer (credential-like fields dropped), fit to repeat."""
        if not isinstance(body, dict):
            return ""
        value = next((body[k] for k in MESSAGE_FIELDS if body.get(k) not in (None, "", [], {})), "")
        text = value if isinstance(value, str) else json.dumps(_without_credentials(value), ensure_ascii=False)
        return self.echo(text)


def _without_credentials(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK if _CREDENTIAL_KEY.search(str(k)) else _without_credentials(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_credentials(v) for v in value]
    return value


_ACTIVE: weakref.WeakSet[Redactor] = weakref.WeakSet()


class _MaskSecrets(logging.Filter):
    """Last line for log records of httpx/httpcore: URLs (``?token=…``) and headers get masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = _QUERY.sub("?…", record.getMessage())
        for redactor in list(_ACTIVE):
            text = redactor(text)
        record.msg, record.args = _HEADER_LIST.sub("[headers not shown]", text), None
        return True


# httpx logs full URLs (with ?token=… in the legacy flow) at INFO, httpcore answer headers at
# DEBUG: keep them quiet, and mask what they say should someone turn them up.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
_FILTER = _MaskSecrets()
for _name in ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy", "httpcore.socks"):
    logging.getLogger(_name).addFilter(_FILTER)
