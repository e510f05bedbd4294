"""The canonical table as one Parquet file: what a batch hands its notebooks.

The file carries its own metadata (source label, rows read, which dates exist, time
zone, fingerprint), so a notebook needs only its path — never the params' secrets.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadkit.atomic import atomic_path
from leadkit.engines import ARROW_SCHEMA, connect, register_parquet
from leadkit.exceptions import SourceError
from leadkit.leads import Leads
from leadkit.sources import SourceData

META_KEY = b"leadkit"


def fingerprint(frame: pd.DataFrame) -> str:
    """A content hash of the canonical rows: equal data, equal fingerprint."""
    hashed = pd.util.hash_pandas_object(frame.astype({c: "string" for c in frame.columns}), index=False)
    digest = hashlib.sha256(hashed.to_numpy().tobytes())
    digest.update(",".join(frame.columns).encode())
    return digest.hexdigest()[:20]


def write_snapshot(
    data: SourceData,
    path: str | Path,
    timezone: str,
    known_fingerprint: str | None = None,
    lead_url: str | None = None,
) -> str:
    """Write the validated frame and its facts to ``path`` (atomically); return the fingerprint.

    ``known_fingerprint`` spares hashing the rows again when the caller has just done so.
    """
    print_ = known_fingerprint or fingerprint(data.pandas())
    meta = {
        "label": data.label,
        "rows_read": data.rows_read,
        "no_reason_statuses": list(data.no_reason_statuses),
        "dated": list(data.dated),
        "timezone": timezone,
        "fingerprint": print_,
        "lead_url": lead_url,
    }
    if data.cleaned_values:  # only when the source needed cleaning, for the data-quality notes
        meta["cleaned_values"] = data.cleaned_values
    table = pa.Table.from_pandas(data.pandas(), preserve_index=False).cast(ARROW_SCHEMA)
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return print_


def snapshot_meta(path: str | Path) -> dict[str, object]:
    try:
        raw = (pq.read_schema(path).metadata or {}).get(META_KEY)
    except (OSError, pa.ArrowInvalid) as exc:
        raise SourceError(f"{path}: not a leadkit snapshot ({exc})") from None
    if raw is None:
        raise SourceError(f"{path}: a Parquet file without leadkit metadata; write it with `leadkit run`")
    meta: dict[str, object] = json.loads(raw)
    return meta


def read_snapshot(path: str | Path) -> Leads:
    """Leads from a snapshot, loaded into an in-process DuckDB table."""
    meta = snapshot_meta(path)
    no_reason = tuple(str(s) for s in meta.get("no_reason_statuses", []))  # type: ignore[attr-defined]
    table = register_parquet(path, connect(), no_reason)  # (no progress widget in a kernel's output)
    dated = [str(d) for d in meta.get("dated", [])]  # type: ignore[attr-defined]
    return Leads(
        table=table,
        label=str(meta["label"]),
        rows_read=int(meta["rows_read"]),  # type: ignore[call-overload]
        no_reason_statuses=no_reason,
        dated=tuple(dated),
        timezone=str(meta.get("timezone", "UTC")),
        lead_url=str(meta["lead_url"]) if meta.get("lead_url") else None,
        cleaned_values=int(meta.get("cleaned_values", 0)),  # type: ignore[call-overload]
    )


_LAST: tuple[tuple[str, int, int, int], Leads] | None = None  # the snapshot this process opened last, by file


def open_snapshot(path: str | Path) -> Leads:
    """``read_snapshot``, or the leads this process read from this very file last (unchanged since).

    A batch's warm kernel runs notebook after notebook on one snapshot; loading it into a new
    DuckDB each time cost seconds per notebook on 1M leads. Reports only query the table, so
    they can share it; one file is kept, so a kernel never holds more than one table.
    """
    global _LAST
    try:
        stat = Path(path).stat()
    except OSError:
        return read_snapshot(path)  # its error says what is wrong with the path
    key = (str(Path(path).resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if _LAST is None or _LAST[0] != key:
        _LAST = None  # the previous table goes before the next one is loaded
        _LAST = (key, read_snapshot(path))
    return _LAST[1]
