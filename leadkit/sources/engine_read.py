"""Read CSV/TSV exports with DuckDB: the same text cells and row numbers as the pandas reader, faster.

DuckDB reads a well-formed file strictly: the header's columns declared, the delimiter
given, standard quoting, every row with as many fields as the header. A file it refuses
(not UTF-8, a row with too few or too many fields, a header pandas would rename, odd
quoting) goes to the pandas reader in ``files``, whose checks say what is wrong and where,
so every message stays the one ``files`` gives. A file in another encoding (cp1251) is
decoded and checked there, then handed to DuckDB as UTF-8 through a temporary file.
"""

from __future__ import annotations

import csv
import functools
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from leadkit.model import ROW
from leadkit.sources.files import UTF8_NAMES, check_fields, decode, sniff_delimiter
from leadkit.sqltext import identifier, literal

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # text cells as the pandas reader gives them (NaN for blanks)
OWN_DATABASE_BYTES = 16 << 20  # files this large are read in a database of their own
HEAD_BYTES = 1 << 16  # the header line must end within this much of the file's start
_BOM = b"\xef\xbb\xbf"
TABLE = "raw"
_NO_NULL = "\x00leadkit: no NULL text\x00"  # DuckDB reads this field text as NULL


GLOB = "*?[{"  # characters DuckDB's file readers take as a glob pattern


@functools.cache
def _database() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process; each read works in a cursor of its own (its temp tables die with it).

    Connecting costs up to a tenth of a second on a busy machine, a cursor a millisecond.
    """
    return duckdb.connect()


def _connection(path: Path) -> duckdb.DuckDBPyConnection:
    """A cursor of the shared database for a small file; a database of its own for a large one.

    DuckDB keeps the memory a read used for later reads of the same database: after a
    130 MB file that is about 300 MB the rest of the ingest would carry along; closing the
    database gives it back, and a tenth of a second is nothing next to reading such a file.
    """
    con = _database().cursor() if path.stat().st_size < OWN_DATABASE_BYTES else duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # (a long read would draw a bar on the user's terminal)
    return con


def header_of(first_line: str, delimiter: str | None) -> tuple[str, list[str]] | None:
    """The delimiter and column names of a header line, or None where DuckDB would name columns unlike pandas.

    pandas renames an empty name ("Unnamed: 3") or a repeated one ("a.1"); such headers, and
    delimiters DuckDB cannot take, stay with the pandas reader.
    """
    sep = delimiter or sniff_delimiter(first_line)
    if len(sep) != 1 or sep == '"':
        return None
    try:
        names = next(csv.reader([first_line], delimiter=sep))
    except (csv.Error, StopIteration):
        return None
    if not names or any(not n for n in names) or len(set(names)) != len(names):
        return None
    return sep, names


def _first_line(path: Path) -> str | None:
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES).removeprefix(_BOM)
    line, newline, _ = head.partition(b"\n")
    if not newline or not line.strip():
        return None
    try:
        return line.removesuffix(b"\r").decode("utf-8")
    except UnicodeDecodeError:
        return None


def load_csv(
    con: duckdb.DuckDBPyConnection, path: Path, sep: str, names: list[str], na_values: tuple[str, ...]
) -> bool:
    """Load ``path`` into view ``raw`` (``_row`` first, the file's row number); False where DuckDB refuses it.

    DuckDB drops a delimiter at the end of a row silently, so one column more is declared and
    short rows are padded with NULL while an empty field reads as '' (``nullstr`` is a text no
    export holds): a row with a value in the extra column, or a NULL anywhere, had more or
    fewer fields than the header, and the file goes to the pandas reader, which names those rows.
    """
    extra = "_leadkit_extra"
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in [*names, extra]) + "}"
    options = (
        f"delim={literal(sep)}, quote='\"', escape='\"', header=true, auto_detect=false, skip=0, "
        f"columns={columns}, strict_mode=true, null_padding=true, nullstr={literal(_NO_NULL)}"
    )
    blank = ", ".join(literal(v) for v in ("", *na_values))
    cells = ", ".join(
        f"CASE WHEN {identifier(n)} IN ({blank}) THEN NULL ELSE {identifier(n)} END AS {identifier(n)}" for n in names
    )
    uneven = " OR ".join(f"{identifier(n)} IS NULL" for n in [*names[1:], names[0]])
    uneven += f" OR {identifier(extra)} IS NOT NULL"
    try:
        _scan(con, f"read_csv({literal(str(path))}, {options}")
        found = con.execute(f"SELECT count(*) FROM file_cells WHERE {uneven}").fetchone()
        if found is None or found[0]:
            return False
        # (a table keeps the file's order: rowid is the record's position, blank lines skipped as pandas does)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {TABLE} AS SELECT rowid + 2 AS {ROW}, {cells} FROM file_cells")
    except duckdb.Error:
        return False
    return True


def _scan(con: duckdb.DuckDBPyConnection, call: str) -> None:
    """``call`` (a read_csv without its closing parenthesis) into table ``file_cells``.

    DuckDB's parallel reader cannot pad short rows in a file with quoted line breaks: such a
    file is read again by one thread.
    """
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE file_cells AS SELECT * FROM {call})")
    except duckdb.Error as exc:
        if "parallel=false" not in str(exc):
            raise
        con.execute(f"CREATE OR REPLACE TEMP TABLE file_cells AS SELECT * FROM {call}, parallel=false)")


def _transcoded(path: Path, encoding: str | None, delimiter: str | None, folder: Path) -> Path | None:
    """A UTF-8 copy of a file in another encoding, decoded and checked as the pandas reader does."""
    text = decode(path.read_bytes(), encoding, str(path)).removeprefix("\ufeff")
    if not text.strip():
        return None
    sep = delimiter or sniff_delimiter(text)
    check_fields(text, sep, str(path))
    copy = folder / "utf8.csv"
    copy.write_text(text, encoding="utf-8")
    return copy


def text_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """``sql``'s rows as a frame whose text columns are as the pandas reader gives them (``TEXT``)."""
    arrow = con.sql(sql).to_arrow_table()
    return arrow.to_pandas(
        types_mapper=lambda t: TEXT if pa.types.is_string(t) or pa.types.is_large_string(t) else None
    )


def frame_of(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The ``raw`` table as the pandas reader's frame: text cells as ``str`` (NaN for blanks), ``_row`` int64."""
    frame = text_frame(con, f"SELECT * FROM {TABLE}")
    frame[ROW] = frame[ROW].astype("int64")
    return frame


def load_utf8(con: duckdb.DuckDBPyConnection, path: Path, delimiter: str | None, na_values: tuple[str, ...]) -> bool:
    """A UTF-8 file into view ``raw`` of ``con`` as ``load_csv`` does; False where DuckDB or its header refuses it."""
    if any(c in str(path) for c in GLOB):  # DuckDB would read "leads [2025].csv" as a pattern of other files
        return False
    first = _first_line(path)
    found = header_of(first, delimiter) if first is not None else None
    return found is not None and load_csv(con, path, *found, na_values)


def read_csv_engine(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, na_values: tuple[str, ...] = ()
) -> pd.DataFrame | None:
    """The file's text cells as the pandas reader gives them, read by DuckDB; None to leave it to pandas."""
    if any(c in str(path) for c in GLOB):  # (load_utf8 refuses it too, but its transcoded copy would pass)
        return None
    utf8 = encoding is None or encoding.strip().lower() in UTF8_NAMES
    with _connection(path) as con, tempfile.TemporaryDirectory(prefix="leadkit-csv-") as folder:
        if utf8:
            if load_utf8(con, path, delimiter, na_values):
                return frame_of(con)
            if encoding is not None:
                return None
        source = _transcoded(path, encoding, delimiter, Path(folder))
        if source is None or not load_utf8(con, source, delimiter, na_values):
            return None
        return frame_of(con)
