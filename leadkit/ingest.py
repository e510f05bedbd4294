"""Ingest once: a source's validated canonical table kept in a DuckDB file until the source changes.

A file or demo source is read, mapped and validated once; the table (with the per-lead
flags and ENUM columns ``engines.register`` gives it) and the facts about its source go
into ``<cache dir>/leads-<key>.duckdb``. The key covers everything the table depends on:
the files' path, size, mtime and inode, the source's mapping settings, the time zone and
leadkit's version and code — so a changed file or mapping gets a new file and the old one is removed.

A build runs under a lock on the folder (one builder at a time; the others wait, then
find its result) into a temporary file that is renamed into place only when complete,
so a crash leaves no half cache. Readers attach the finished file read-only, which any
number of processes may do at once. What the source logged while it was read (the
data-quality notes: encodings guessed, rows read) is kept and said again on every reuse.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis

from leadkit.atomic import atomic_path
from leadkit.engines import TABLE, connect, duckdb_table, register
from leadkit.exceptions import SourceError
from leadkit.lock import locked
from leadkit.log import get_logger
from leadkit.model import CANONICAL_COLUMNS, TEXT_COLUMNS
from leadkit.params import DemoSource, Engine, FileSource, Params
from leadkit.sources import Refresh, SourceData, read_source
from leadkit.sqltext import literal
from leadkit.version import compute_versions

log = get_logger("ingest")
ENV_DIR = "LEADKIT_CACHE_DIR"
DEFAULT_DIR = ".leadkit-cache"
FORMAT = 1  # the layout of a cache file; raise it when that changes
META = "leadkit_ingest"
ALIAS = "ingest_cache"
LOCK_MINUTES = 30
BUILD_MEMORY = "1GB"  # what DuckDB may hold while it builds a cache file; the rest spills to a temporary folder
NOT_KEYED = {"lead_url"}  # source settings that do not change the table


@dataclass(frozen=True)
class Ingested:
    """A built cache file and what its source said about itself."""

    path: Path
    facts: dict[str, Any]  # SourceData.facts() of the source it was built from
    notes: tuple[tuple[str, int, str], ...]  # (logger, level, message) logged while the source was read

    def source_data(self, frame: Any) -> SourceData:
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in self.facts.items()}
        return SourceData(frame, **values)


def cache_dir(params: Params) -> Path | None:
    """Where the cache lives, or None when ``cache.enabled`` is false."""
    if not params.cache.enabled:
        return None
    if params.cache.dir is not None:
        return params.resolve(params.cache.dir)
    return Path(os.environ.get(ENV_DIR) or params.base_dir / DEFAULT_DIR)


def _file_facts(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:20]


def source_key(params: Params) -> tuple[str, str] | None:
    """(name, key) of the source's cache file, or None for sources that are not cached.

    ``name`` stays the same while the source is the same file (so an outdated file can be
    found and removed); ``key`` changes with anything its table depends on.
    """
    source = params.source
    settings = source.model_dump(mode="json", exclude=NOT_KEYED & set(type(source).model_fields))
    if isinstance(source, FileSource):
        try:
            files = [_file_facts(params.resolve(p)) for p in (source.path, *(k.path for k in source.lookups))]
        except OSError:
            return None  # reading the source says what is wrong with the file
        name = _digest(files[0]["path"])
    elif isinstance(source, DemoSource):
        files, name = [], _digest(settings)
    else:
        return None  # the engine's own tables, and the RemOnline source with its own cache
    key = _digest({"format": FORMAT, "versions": compute_versions(), "code": _code(), "source": settings,
                   "files": files, "timezone": params.timezone})  # fmt: skip
    return name, key


@functools.cache
def _code() -> str:
    """A digest of the code that makes the table, so an edited checkout never reads an old cache."""
    package = Path(__file__).parent
    leaves = [package / f"{name}.py" for name in ("flags", "model", "text", "engines")]
    parts = sorted((package / "sources").glob("*.py")) + leaves
    return _digest([hashlib.sha256(path.read_bytes()).hexdigest() for path in parts if path.is_file()])


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.notes: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.notes.append((record.name, record.levelno, record.getMessage()))


@contextlib.contextmanager
def _collected_notes(handler: _Collect) -> Iterator[None]:
    """Hold back what the sources log, to be kept with the cache and said on every use."""
    logger = logging.getLogger("leadkit.sources")
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _say(notes: tuple[tuple[str, int, str], ...]) -> None:
    for name, level, message in notes:
        logging.getLogger(name).log(level, "%s", message)


def _write(data: SourceData, notes: list[tuple[str, int, str]], backend: ibis.BaseBackend) -> None:
    register(data.rows if data.rows is not None else data.pandas(), backend, data.no_reason_statuses, known=data.values)
    meta = json.dumps({"facts": data.facts(), "notes": notes})
    backend.con.execute(f"CREATE TABLE {META} AS SELECT ?::VARCHAR AS meta", [meta])
    backend.con.execute("CHECKPOINT")


def _read_meta(path: Path) -> Ingested:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute(f"SELECT meta FROM {META}").fetchone()
    if row is None:
        raise ValueError(f"{META} is empty")
    meta = json.loads(row[0])
    return Ingested(path, meta["facts"], tuple((str(n), int(lv), str(m)) for n, lv, m in meta["notes"]))


def _tidy(folder: Path, name: str, keep: Path) -> None:
    """Remove this source's outdated cache files and any half-built file a killed build left (under the lock)."""
    for old in [*folder.glob(f"leads-{name}-*.duckdb"), *folder.glob(".leads-*.part*")]:
        if old != keep:
            old.unlink(missing_ok=True)


def _readable(path: Path) -> bool:
    try:
        _read_meta(path)
    except Exception:
        return False
    return True


def _build(params: Params, folder: Path, name: str, target: Path) -> None:
    busy = f"the ingest cache {folder} is being built by another leadkit process"
    hint = "set cache.dir in the params to give this run a cache of its own"
    with locked(folder / ".ingest.lock", exclusive=True, timeout=LOCK_MINUTES * 60, busy=busy, hint=hint):
        if target.exists() and _readable(target):
            log.info("reusing the ingest cache %s (another process built it meanwhile)", target)
            return
        if target.exists():  # damaged, or written by another DuckDB: files are only renamed in when whole
            log.warning("the ingest cache %s cannot be read; building it again", target)
            target.unlink()
        _tidy(folder, name, target)
        collected = _Collect()
        with atomic_path(target) as tmp, tempfile.TemporaryDirectory(prefix="leadkit-ingest-") as spill:
            tmp.unlink()  # DuckDB makes its own file: an empty one is not a database
            backend = connect(Engine(path=tmp))  # (as every DuckDB of leadkit: no progress bar on a long build)
            # A 10M-row file would otherwise be held in memory whole, several times over while it is mapped.
            backend.con.execute(f"SET memory_limit = {literal(BUILD_MEMORY)}; SET temp_directory = {literal(spill)}")
            try:
                try:
                    with _collected_notes(collected):
                        # (a file mapped in the engine stays there: its rows never become a pandas frame)
                        data = read_source(params, engine=backend.con)
                except BaseException:
                    _say(tuple(collected.notes))  # what was noticed before the error still helps to fix it
                    raise
                log.info("%s: building the ingest cache %s", data.label, target)
                _write(data, collected.notes, backend)
            finally:
                backend.disconnect()
                Path(f"{tmp}.wal").unlink(missing_ok=True)


def ingest(params: Params) -> Ingested | None:
    """The source's cache file, built first if it is missing or outdated; None when not cached."""
    folder = cache_dir(params)
    keyed = source_key(params) if folder is not None else None
    if folder is None or keyed is None:
        return None
    name, key = keyed
    target = folder / f"leads-{name}-{key}.duckdb"
    if not target.exists():
        _build(params, folder, name, target)
    else:
        log.info("reusing the ingest cache %s", target)
    try:
        found = _read_meta(target)
    except Exception:  # removed by a newer build of a changed source in between, or damaged: build again
        _build(params, folder, name, target)
        try:
            found = _read_meta(target)
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SourceError(f"the ingest cache {target} cannot be read ({first}); delete it, or set "
                              "cache.enabled: false in the params") from None  # fmt: skip
    _say(found.notes)
    return found


def attach(found: Ingested, backend: ibis.BaseBackend) -> ibis.Table:
    """The cached leads table on a DuckDB ``backend``, attached read-only (nothing is copied)."""
    quoted = str(found.path).replace("'", "''")
    backend.con.execute(f"ATTACH IF NOT EXISTS '{quoted}' AS {ALIAS} (READ_ONLY)")
    return duckdb_table(backend, TABLE, catalog=ALIAS, database="main")


def cached_source(found: Ingested) -> SourceData:
    """The cached table back as a canonical frame, e.g. for another engine or a batch's snapshot."""
    import duckdb

    text = {*TEXT_COLUMNS, "status_group", "status_result"}
    columns = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' if c in text else f'"{c}"' for c in CANONICAL_COLUMNS)
    with duckdb.connect(str(found.path), read_only=True) as con:
        frame = con.execute(f"SELECT {columns} FROM {TABLE}").df()
    return found.source_data(frame)


def source_data(params: Params, refresh: Refresh = "if-empty") -> SourceData:
    """The validated source, from the cache when it is cached (``read_source`` otherwise)."""
    found = ingest(params)
    return cached_source(found) if found is not None else read_source(params, refresh)
