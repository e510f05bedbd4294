"""The RemOnline API as a source: sync into a local cache, then map like any export."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

from leadkit.exceptions import ParamsError
from leadkit.params import Params, RemonlineSource
from leadkit.sources.data import SourceData
from leadkit.sources.mapping import MappingSpec, to_canonical
from leadkit.sources.remonline.cache import Cache
from leadkit.sources.remonline.client import ENV_KEY, RemonlineClient
from leadkit.sources.remonline.convert import to_raw
from leadkit.sources.remonline.sync import SyncReport, sync
from leadkit.sources.validate import validated

Refresh = Literal["always", "if-empty", "never"]


def api_key() -> str:
    """The API key, from the environment only, checked to be sendable in an HTTP header."""
    key = os.environ.get(ENV_KEY, "").strip()
    if not key:
        raise ParamsError(f"set the environment variable {ENV_KEY} to your RemOnline API key (never in a params file)")
    bad = next(((i, c) for i, c in enumerate(key, 1) if not "!" <= c <= "~"), None)
    if bad is not None:
        position, char = bad
        what = "a space" if char == " " else f"U+{ord(char):04X} {unicodedata.name(char, 'a control character')}"
        raise ParamsError(
            f"the environment variable {ENV_KEY} holds a character that cannot be sent in an HTTP header: "
            f"character {position} of {len(key)} is {what} (API keys are plain ASCII letters, digits and "
            "punctuation). Copy the key again from RemOnline's API settings, or type it, and set it anew."
        )
    return key


def cache_of(source: RemonlineSource, params: Params) -> Cache:
    if source.cache is not None:
        return Cache(params.resolve(source.cache))
    host = urlsplit(source.base_url).hostname or "remonline"
    return Cache(params.resolve(params.output.dir) / ".cache" / f"remonline-{host}")


def fetch(params: Params, *, full: bool = False, if_empty: bool = False,
          progress: Callable[[SyncReport], None] = lambda _: None) -> SyncReport:  # fmt: skip
    """Sync the cache of the params' RemOnline source (all of it with ``full``, only if empty with ``if_empty``)."""
    source = params.source
    if not isinstance(source, RemonlineSource):
        raise ParamsError("`leadkit fetch` needs a params file with source.kind: remonline")
    client = RemonlineClient(source.base_url, api_key(), auth=source.auth, timeout=source.timeout,
                             retries=source.retries, backoff=source.backoff, rate=source.rate_limit)  # fmt: skip
    with client:
        return sync(client, cache_of(source, params), base_url=source.base_url, full=full,
                    overlap_ms=source.overlap_minutes * 60_000, order_field=source.order_id_field,
                    sale_field=source.sale_id_field, if_empty=if_empty, progress=progress)  # fmt: skip


def read_remonline(source: RemonlineSource, params: Params, refresh: Refresh = "if-empty") -> SourceData:
    """The cached leads as a canonical frame, syncing first when ``refresh`` asks for it."""
    cache = cache_of(source, params)
    if refresh == "always" or (refresh == "if-empty" and cache.is_empty()):
        fetch(params, if_empty=refresh == "if-empty")
    with cache.reading():
        if cache.is_empty():
            raise ParamsError(f"no RemOnline data cached in {cache.folder}; run `leadkit fetch` first")
        leads, refs = cache.leads(), cache.refs()
    raw = to_raw(leads, refs, source.lead_id)
    spec = MappingSpec(
        columns={c: c for c in raw.columns if not c.startswith("_")},
        status_groups=source.status_groups,
        status_group_values=source.status_group_values,
        status_results=source.status_results,
        date_formats=("epoch_ms",),
    )
    where = f"RemOnline cache {cache.folder}"
    frame, problems = to_canonical(raw, spec, params.timezone, where)
    label = f"RemOnline {urlsplit(source.base_url).hostname}"
    return SourceData(validated(frame, where, problems), label, len(leads), source.no_reason_statuses)
