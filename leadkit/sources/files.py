"""Read CSV, XLSX and Parquet exports into text frames, with honest encoding handling.

Every cell comes back as text (or NA for a blank); the mapping step decides what a
column means. A ``_row`` column keeps each record's row number as a spreadsheet shows
it (header = row 1), so that errors can point at it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from leadkit.exceptions import SourceError
from leadkit.log import get_logger
from leadkit.model import ROW

log = get_logger("sources.files")

_UTF8 = {"utf8", "utf-8", "utf_8", "utf-8-sig", "utf_8_sig", "utf8-sig"}
_DELIMITERS = (",", ";", "\t", "|")
_WORD = re.compile(r"\w+")


def detect_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("parquet", "pq"):
        return "parquet"
    raise SourceError(
        f"{path}: cannot tell the format from the suffix {path.suffix!r}; set source.format to csv, xlsx or parquet"
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_cyrillic(text: str) -> bool:
    """True for Russian/Ukrainian text; False for e.g. Latin-1 read as cp1251 ("Йtй cafй")."""
    high = [c for c in text if ord(c) > 127]
    cyr = sum(1 for c in high if "\u0400" <= c <= "\u04ff" or c in "№«»—–")
    if not high or cyr / len(high) < 0.9:
        return False
    words = [w for w in _WORD.findall(text) if any("\u0400" <= c <= "\u04ff" for c in w)]
    mixed = sum(1 for w in words if any(c.isascii() and c.isalpha() for c in w))
    return mixed <= 0.05 * len(words)


def decode(data: bytes, encoding: str | None, where: str) -> str:
    """Bytes to text, refusing any decoding that would silently garble the text."""
    if encoding is None:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = data.decode("cp1251", errors="replace")
            if _looks_cyrillic(text):
                log.info("%s: not UTF-8, read as cp1251 (Cyrillic text found)", where)
                return text
            raise SourceError(
                f"{where}: not UTF-8 (first bad byte at line {_line_of(data, exc.start)}) and "
                "not recognisably cp1251; set source.encoding to the file's encoding "
                "(for example cp1251 or latin-1)"
            ) from None
    enc = encoding.strip().lower()
    if enc in _UTF8:
        enc = "utf-8-sig"
    elif not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise SourceError(
                f"{where}: the file is valid UTF-8 but source.encoding says {encoding!r}; "
                "reading it so would garble every non-Latin letter. Remove source.encoding "
                "or set it to utf-8"
            )
    try:
        return data.decode(enc)
    except LookupError:
        raise SourceError(f"{where}: unknown encoding {encoding!r} in source.encoding") from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{where}: not valid {encoding} (bad byte at line {_line_of(data, exc.start)}); "
            "set source.encoding to the file's real encoding, e.g. utf-8 or cp1251"
        ) from None


def sniff_delimiter(text: str) -> str:
    """The candidate delimiter that splits the header line into most fields."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    na_values: tuple[str, ...] = (),
) -> pd.DataFrame:
    data = _read_bytes(path)
    text = decode(data, encoding, str(path))
    sep = delimiter or sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=["", *na_values],
            skipinitialspace=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(
            f"{path}: not a readable CSV with delimiter {sep!r}: {str(exc).strip()}. "
            "Check source.delimiter (',', ';' or tab) and quoting"
        ) from None
    frame.insert(0, ROW, range(2, len(frame) + 2))
    return frame


def _as_text(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return pd.NA
    if isinstance(value, pd.Timestamp):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return pd.Timestamp(value)  # type: ignore[arg-type]
    text = str(value)
    return text if text.strip() else pd.NA


def read_xlsx(path: Path, *, sheet: str | int | None = None, na_values: tuple[str, ...] = ()) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise SourceError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    except ValueError as exc:
        raise SourceError(f"{path}: {exc}; set source.sheet to an existing sheet") from None
    frame = frame.apply(lambda col: col.map(_as_text)).astype(object)
    if na_values:
        frame = frame.mask(frame.isin(na_values))
    frame.insert(0, ROW, range(2, len(frame) + 2))
    return frame


def read_parquet(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable Parquet file ({exc})") from None
    frame.insert(0, ROW, range(1, len(frame) + 1))
    return frame


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found; check source.path in the params file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from None


def read_file(
    path: Path,
    fmt: str | None = None,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    na_values: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Any supported export as a frame of text cells plus the ``_row`` column."""
    kind = detect_format(path, fmt)
    if not path.exists():
        raise SourceError(f"{path}: file not found; check source.path in the params file")
    if kind == "csv":
        return read_csv(path, encoding=encoding, delimiter=delimiter, na_values=na_values)
    if kind == "xlsx":
        return read_xlsx(path, sheet=sheet, na_values=na_values)
    return read_parquet(path)
