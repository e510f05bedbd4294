"""Who is looking at the dashboard, and which leads they may see (issue 12, row-level views).

The reverse proxy authenticates a person and sets one request header (``dashboard.viewers.header``
in the params); Voilà hands that header to the page's kernel as an environment variable,
``HTTP_`` + the name in capitals with ``-`` as ``_`` (RFC 3875, as Voilà's ``http_header_envs``
does). The viewer is read from that variable only: never from the query string, the page or
a widget, which a reader controls. A user the params do not list, or no header at all, is
``Denied``: the page then opens no data.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from leadkit.model import LANGS
from leadkit.params import Viewers
from leadkit.scope import Filters

LANG_ENV = "LEADKIT_DASHBOARD_LANG"  # `leadkit serve` tells its kernels the params' language (read at start)


def in_voila() -> bool:
    """This kernel runs a Voilà dashboard (Voilà sets the CGI-style variables of the page's request)."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")


def dashboard_lang() -> str:
    """The dashboard's language, known even when the params file has since been broken."""
    lang = os.environ.get(LANG_ENV, "en")
    return lang if lang in LANGS else "en"


@dataclass(frozen=True)
class Viewer:
    """A known user, and the leads they may see (an empty allowance: every lead)."""

    user: str
    allowance: Filters

    @property
    def slug(self) -> str:
        """A folder name of this user's own (their exports never share a file with another viewer's)."""
        return "viewer-" + hashlib.sha256(self.user.casefold().encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Denied:
    """No access: the header was missing, or named a user the params do not list."""

    user: str  # as the header named them; empty when there was no header
    contact: str | None
    lang: str


def header_env(header: str) -> str:
    """The kernel's environment variable that carries ``header`` (Voilà's naming)."""
    return "HTTP_" + header.upper().replace("-", "_")


def viewer_of(viewers: Viewers, lang: str, environ: Mapping[str, str] | None = None) -> Viewer | Denied:
    """The viewer the proxy's header names, from the environment only; ``Denied`` when unknown or absent."""
    environ = os.environ if environ is None else environ
    user = environ.get(header_env(viewers.header), "").strip()
    if user:
        wanted = user.casefold()
        for name, access in viewers.users.items():
            if name.casefold() == wanted:
                return Viewer(name, access.filters())
    return Denied(user, viewers.contact, lang)
