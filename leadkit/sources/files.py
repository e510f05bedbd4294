"""Read CSV, XLSX and Parquet exports into text frames, with honest encoding handling.

Every cell comes back as text (or NA for a blank); the mapping step decides what a
column means. A ``_row`` column keeps each record's row number as a spreadsheet shows
it (header = row 1), so that errors can point at it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from leadkit.exceptions import SourceError
from leadkit.log import get_logger
from leadkit.model import ROW, rows_text

log = get_logger("sources.files")

UTF8_NAMES = {"utf8", "utf-8", "utf_8", "utf-8-sig", "utf_8_sig", "utf8-sig"}
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


# The letters of Russian and Ukrainian: what a line of a real cp1251 export holds beyond ASCII.
_RU_UK = frozenset("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяЄєІіЇїҐґ")


def _surely_utf8(line: bytes) -> bool:
    """True for a non-ASCII line that decodes as UTF-8 and is no cp1251 text by accident.

    Some short cp1251 words are valid UTF-8 too ("Рі" reads as "г"); read as cp1251 such a
    line is all Russian/Ukrainian letters, while real UTF-8 text read as cp1251 turns into
    symbols and Serbian letters ("Ольга" → "РћР»СЊРіР°").
    """
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(c not in _RU_UK for c in line.decode("cp1251", errors="replace") if not c.isascii())


def non_utf8_lines(data: bytes) -> tuple[list[int], list[int]]:
    """Line numbers (1-based) that are not UTF-8, and those that are surely UTF-8 text."""
    bad: list[int] = []
    utf8: list[int] = []
    for number, line in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        if line.isascii():
            continue
        if _surely_utf8(line):
            utf8.append(number)
        else:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(number)
    return bad, utf8


def _refuse_mixed(data: bytes, where: str) -> None:
    """Refuse a file that is UTF-8 in some lines and something else in others: no one decoding reads it right."""
    bad, utf8 = non_utf8_lines(data)
    if bad and utf8:
        raise SourceError(
            f"{where}: mixed encodings: line(s) {rows_text(bad)} are not UTF-8, while line(s) {rows_text(utf8, 3)} "
            "are; read as one encoding, the same name would become two (e.g. a manager counted twice). "
            "Save the file again as UTF-8 (Excel: Save As → CSV UTF-8) or retype those lines; if it should be "
            "read as one encoding anyway, set source.encoding"
        )


def decode(data: bytes, encoding: str | None, where: str) -> str:
    """Bytes to text, refusing any decoding that would silently garble the text.

    With no declared encoding: UTF-8 when the whole file is UTF-8; cp1251 when it is not
    UTF-8 anywhere and reads as Cyrillic; a file mixing UTF-8 lines with others is refused,
    naming the lines. A declared ``encoding`` wins (but UTF-8 declared as something else is refused).
    """
    if encoding is None:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            _refuse_mixed(data, where)
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
    if enc in UTF8_NAMES:
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
    text = decode(data, encoding, str(path)).removeprefix("\ufeff")
    if not text.strip():
        raise SourceError(f"{path}: the file is empty (not even a header line); export the leads again")
    sep = delimiter or sniff_delimiter(text)
    check_fields(text, sep, str(path))
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


def _line_field_counts(text: str, sep: str) -> tuple[np.ndarray, np.ndarray]:
    data = np.frombuffer(text.replace("\r", "").encode("utf-8"), dtype=np.uint8)
    ends = np.append(np.flatnonzero(data == ord("\n")), len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    used = ends > starts  # blank lines are skipped, as pandas does
    starts, ends = starts[used], ends[used]
    separators = np.flatnonzero(data == ord(sep))
    counts = np.searchsorted(separators, ends) - np.searchsorted(separators, starts) + 1
    return counts, data[ends - 1] == ord(sep)


def field_counts(text: str, sep: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Per record (blank lines skipped, quoting as pandas reads it): its number of fields, and whether
    its last field is empty. None when the text cannot be split (pandas then says why)."""
    if '"' not in text and sep.isascii():  # no quoting: records are lines, counted by numpy
        return _line_field_counts(text, sep)
    counts: list[int] = []
    last_empty: list[bool] = []
    try:
        for record in csv.reader(io.StringIO(text), delimiter=sep):
            if record:
                counts.append(len(record))
                last_empty.append(not record[-1].strip())
    except csv.Error:
        return None
    return np.array(counts, dtype=np.int64), np.array(last_empty, dtype=bool)


def check_fields(text: str, sep: str, where: str) -> None:
    """Refuse rows with more or fewer fields than the header, saying what is wrong with which rows.

    pandas pads short rows with blanks silently, and reads a delimiter at the end of every
    row as one more column, shifting every value one place (so errors blame the wrong column).
    """
    found = field_counts(text, sep)
    if found is None or len(found[0]) < 2:
        return
    header, counts, last_empty = int(found[0][0]), found[0][1:], found[1][1:]
    # A header ending in the delimiter names one empty column more: rows without it lack nothing.
    needed = header - 1 if bool(found[1][0]) and header > 1 else header
    if bool((counts == header + 1).all() and last_empty.all()):
        raise SourceError(
            f"{where}: every row ends with an extra {sep!r} (rows have {header + 1} fields, the header {header}), "
            f"which shifts every value one column; remove the trailing {sep!r} from the rows, or end the header "
            f"line with {sep!r} too"
        )
    problems = []
    for wrong, what in ((counts < needed, "fewer"), (counts > header, "more")):
        if wrong.any():
            rows = np.flatnonzero(wrong) + 2  # the header is row 1
            seen = ", ".join(str(n) for n in sorted(set(counts[wrong].tolist())))
            problems.append(f"row(s) {rows_text(rows.tolist())} have {what} fields ({seen}) than the header ({header})")
    if problems:
        raise SourceError(
            f"{where}: {'; '.join(problems)}. A value is missing or holds an unquoted {sep!r}, or a line break "
            f"splits a row; fix those rows (every row needs {header} fields, empty ones written as {sep}{sep}), "
            "or check source.delimiter"
        )


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


def _whole_floats_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns whose values are all whole numbers (ids written with a null) as integers.

    Else an id 9007199254740992 would read as the text '9007199254740992.0'.
    """
    for column in frame.columns:
        values = frame[column]
        whole = values.dropna()
        if pd.api.types.is_float_dtype(values) and bool(((whole % 1 == 0) & (whole.abs() < 2**63)).all()):
            frame[column] = values.astype("Int64")
    return frame


def read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file with nullable types: an integer column with a null stays integer."""
    try:
        frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable Parquet file ({exc})") from None
    frame = _whole_floats_as_integers(frame)
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
    if path.is_dir():
        raise SourceError(f"{path}: is a directory, not a file; set source.path to the export file itself")
    kind = detect_format(path, fmt)
    if not path.exists():
        raise SourceError(f"{path}: file not found; check source.path in the params file")
    if kind == "csv":
        from leadkit.sources.engine_read import read_csv_engine  # (it builds on this module's checks)

        frame = read_csv_engine(path, encoding=encoding, delimiter=delimiter, na_values=na_values)
        if frame is not None:
            return frame
        return read_csv(path, encoding=encoding, delimiter=delimiter, na_values=na_values)
    if kind == "xlsx":
        return read_xlsx(path, sheet=sheet, na_values=na_values)
    return read_parquet(path)


def require_rows(frame: pd.DataFrame, path: Path) -> None:
    """Refuse a file with a header but no rows: a report on no leads says nothing and hides a bad export."""
    if frame.empty:
        columns = ", ".join(repr(c) for c in frame.columns if c != ROW)
        raise SourceError(
            f"no leads in {path}: it has columns ({columns}) but no rows; check that the export finished "
            "and covers a period with leads, or that source.path names the right file"
        )
