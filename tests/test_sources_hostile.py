"""Odd and hostile exports end in a right report or one clear error, never in silently wrong numbers.

Each class of issue 15's input half: mixed encodings, naive times beside offsets, colliding
mapping keys, invisible characters, epoch units, ragged rows, and empty or odd files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import params_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadkit.api import lead_conversion
from leadkit.exceptions import LeadkitError, ParamsError, SourceError, ValidationError
from leadkit.leads import load_leads
from leadkit.params import load_params, parse_params
from leadkit.reports.quality import data_quality
from leadkit.scope import Scope
from leadkit.sources.dates import epoch_units, parse_dates
from leadkit.sources.files import decode, read_file

HEADER = "id,created,status,manager\n"
SIMPLE = {"columns": {"lead_id": "id", "created_at": "created", "status": "status", "manager": "manager"},
          "status_groups": {"Won": "won", "Lost": "lost"}}  # fmt: skip
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _load(path: Path, timezone: str = "UTC", **source: object):
    return load_leads(params_for({"kind": "file", "path": str(path), **SIMPLE, **source}, timezone=timezone))


def _write(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. Mixed encodings ----------------------------------------------------------------------------------------
# Names as people write them: a capital and lower-case letters. (A cp1251 line can be valid UTF-8 by
# accident only if it has no two lower-case letters in a row, e.g. "Рі", which also reads as "г".)
CYRILLIC_NAMES = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯІЇЄҐ"),
    st.text(alphabet=st.sampled_from("абвгдежзийклмнопрстуфхцчшщыьэюя"), min_size=2, max_size=9),
)


@HYPOTHESIS
@given(names=st.lists(CYRILLIC_NAMES, min_size=2, max_size=6), data=st.data())
def test_a_utf8_file_with_cp1251_lines_is_refused_naming_them(tmp_path_factory, names, data):
    bad = data.draw(st.integers(1, len(names) - 1))  # a data row in cp1251; row 0 stays UTF-8 as evidence
    lines = [HEADER.encode()] + [
        f"{i},2025-03-01,Won,{name}\n".encode("cp1251" if i == bad else "utf-8") for i, name in enumerate(names)
    ]
    with pytest.raises(SourceError) as err:
        decode(b"".join(lines), None, "leads.csv")
    message = str(err.value)
    assert f"line(s) {bad + 2} are not UTF-8" in message and "Save the file again as UTF-8" in message


@HYPOTHESIS
@given(
    names=st.lists(CYRILLIC_NAMES, min_size=1, max_size=6), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"])
)
def test_a_file_in_one_encoding_reads_every_name_right(names, encoding):
    text = HEADER + "".join(f"{i},2025-03-01,Won,{name}\n" for i, name in enumerate(names))
    assert decode(text.encode(encoding), None, "leads.csv").removeprefix("\ufeff") == text


@HYPOTHESIS
@given(words=st.lists(st.sampled_from(["Рі", "Сі", "Рё", "ВЁ", "Гї"]), min_size=1, max_size=3), name=CYRILLIC_NAMES)
def test_cp1251_words_that_are_valid_utf8_by_accident_are_no_evidence_of_mixing(words, name):
    lines = [HEADER, f"1,2025-03-01,Won,{name}\n"] + [f"{i},2025-03-01,Won,{w}\n" for i, w in enumerate(words, 2)]
    text = "".join(lines)
    assert decode(text.encode("cp1251"), None, "leads.csv") == text


def test_a_declared_encoding_still_wins_over_mixed_lines(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes((HEADER + "1,2025-03-01,Won,Ольга\n").encode() + "2,2025-03-02,Won,Ольга\n".encode("cp1251"))
    with pytest.raises(SourceError, match=r"line\(s\) 3 are not UTF-8, while line\(s\) 2 are"):
        _load(path)
    leads = _load(path, encoding="cp1251")  # the user's word: read as cp1251 (the UTF-8 line garbles, as asked)
    assert "Ольга" in set(leads.table.to_pandas()["manager"])


# --- 2. Times with and without an offset in one column ---------------------------------------------------------
def test_naive_times_beside_offsets_are_read_in_the_params_timezone(tmp_path):
    # 23:30 on March 31 in Kyiv (no offset) is in March; 21:30Z on March 31 is 00:30 April 1 in Kyiv.
    path = _write(tmp_path, HEADER + "1,2025-03-31T23:30:00,Won,A\n2,2025-03-31T21:30:00Z,Won,A\n"
                                     "3,2025-03-31 10:00:00+03:00,Won,A\n")  # fmt: skip
    leads = _load(path, timezone="Europe/Kyiv")
    created = leads.table.to_pandas().set_index("lead_id")["created_at"]
    assert created["1"] == pd.Timestamp("2025-03-31 23:30") and created["2"] == pd.Timestamp("2025-04-01 00:30")
    assert created["3"] == pd.Timestamp("2025-03-31 10:00")
    assert lead_conversion(leads, period="2025-03").total["leads"] == 2


@given(st.datetimes(min_value=pd.Timestamp("2000-01-01"), max_value=pd.Timestamp("2090-12-31")),
       st.sampled_from(["Europe/Kyiv", "America/New_York", "Asia/Kolkata", "UTC"]))  # fmt: skip
def test_a_naive_time_is_a_wall_clock_time_whatever_sits_beside_it(moment, zone):
    naive = moment.replace(microsecond=0).isoformat()
    parsed, bad = parse_dates(pd.Series([naive, "2025-06-01T12:00:00+00:00"]), (), zone)
    assert not bad.any() and parsed[0] == pd.Timestamp(naive)


# --- 3. Colliding mapping keys ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mapping", "first", "second"),
    [({"status_groups": {"Won": "won", "WON": "lost"}}, "Won", "WON"),
     ({"status_groups": {"In work": "in_progress", " in  WORK ": "won"}}, "In work", " in  WORK "),
     ({"status_groups": {"Won": "won", "Won\u200b": "lost"}}, "Won", "Won\\u200b"),
     ({"status_results": {"Successful order": "order", "successful ORDER": "sale"}}, "Successful order", "successful ORDER"),
     ({"status_group_values": {"Closed": "won", "closed": "lost"}}, "Closed", "closed"),
     ({"replace": {"manager": {"Ann": "Anna", "ANN": "Annette"}}}, "Ann", "ANN")],
)  # fmt: skip
def test_keys_that_match_the_same_values_are_refused_naming_both(mapping, first, second):
    with pytest.raises(ParamsError) as err:
        parse_params({"source": {"kind": "file", "path": "x.csv", **mapping}})
    assert f"'{first}' and '{second}' are the same" in str(err.value)


def test_remonline_mappings_refuse_colliding_keys_too():
    with pytest.raises(ParamsError, match="'Won' and 'won' are the same"):
        parse_params({"source": {"kind": "remonline", "status_groups": {"Won": "won", "won": "lost"}}})


def test_a_key_written_twice_in_yaml_is_refused(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("source:\n  kind: file\n  path: x.csv\n  status_groups:\n    Won: won\n    Won: lost\n")
    with pytest.raises(ParamsError, match="key 'Won' is written twice"):
        load_params(path)
    merged = tmp_path / "merged.yaml"  # a merge key's values may be overridden: that is what YAML means
    merged.write_text("base: &b {Won: won}\nsource:\n  kind: file\n  path: x.csv\n  status_groups:\n"
                      "    <<: *b\n    Won: lost\n")  # fmt: skip
    with pytest.raises(ParamsError, match="base"):  # (the unknown top-level key, not a repeated one)
        load_params(merged)


def test_replace_names_text_columns_and_a_value_in_both_flag_lists_is_refused():
    with pytest.raises(ParamsError, match=r"unknown column\(s\) \['stauts'\]"):
        parse_params({"source": {"kind": "file", "path": "x.csv", "replace": {"stauts": {"a": "b"}}}})
    with pytest.raises(ParamsError, match=r"\['yes'\] in both true_values and false_values"):
        parse_params({"source": {"kind": "file", "path": "x.csv", "true_values": ["Yes"], "false_values": ["yes"]}})


def test_replace_matches_like_statuses(tmp_path):
    path = _write(tmp_path, HEADER + "1,2025-03-01,Won,ann\n2,2025-03-01,Won, ANN \n3,2025-03-01,Won,Bob\n")
    leads = _load(path, replace={"manager": {"Ann": "Anna"}})
    assert sorted(leads.table.to_pandas()["manager"]) == ["Anna", "Anna", "Bob"]


def test_statuses_named_like_secrets_in_a_yaml_file_are_data(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("source:\n  kind: file\n  path: x.csv\n  status_groups:\n    Token: won\n    Secret: lost\n"
                    "    Password: lost\n  replace:\n    status:\n      API key: Token\n")  # fmt: skip
    assert load_params(path).source.status_groups["Password"] == "lost"  # type: ignore[union-attr]


# --- 4. Invisible characters -----------------------------------------------------------------------------------
INVISIBLE = st.sampled_from(["\x00", "\x07", "\x1b", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\u2060"])


@HYPOTHESIS
@given(invisible=INVISIBLE, at=st.integers(0, 3))
def test_values_differing_only_by_invisible_characters_are_one_and_counted(tmp_path_factory, invisible, at):
    tmp_path = tmp_path_factory.mktemp("inv")
    dirty = "Ольга"[:at] + invisible + "Ольга"[at:]
    path = _write(tmp_path, HEADER + f"1,2025-03-01,Won,Ольга\n2,2025-03-01,Lost,{dirty}\n3,2025-03-01,Won,Bob\n")
    leads = _load(path)
    assert sorted(set(leads.table.to_pandas()["manager"])) == ["Bob", "Ольга"]
    assert data_quality(leads, Scope()).as_dict()["cleaned_values"] == 1


@HYPOTHESIS
@given(invisible=INVISIBLE)
def test_ids_that_collide_once_cleaned_are_duplicates_named_with_their_rows(tmp_path_factory, invisible):
    tmp_path = tmp_path_factory.mktemp("ids")
    path = _write(tmp_path, HEADER + f"1,2025-03-01,Won,A\n7{invisible},2025-03-01,Won,A\n7,2025-03-01,Won,A\n")
    with pytest.raises(ValidationError) as err:
        _load(path)
    assert "'7' (rows 3, 4)" in str(err.value) and "differ in the file only by invisible characters" in str(err.value)


def test_tabs_and_line_breaks_inside_a_value_become_one_space(tmp_path):
    path = _write(tmp_path, HEADER + '1,2025-03-01,Won,"Anna\tMaria"\n2,2025-03-01,Won,"Anna\nMaria"\n')
    leads = _load(path)
    assert set(leads.table.to_pandas()["manager"]) == {"Anna Maria"} and leads.cleaned_values == 0


# --- 5. Epoch numbers ------------------------------------------------------------------------------------------
@given(st.datetimes(min_value=pd.Timestamp("1990-01-01"), max_value=pd.Timestamp("2099-12-31")),
       st.sampled_from(["s", "ms", "us", "ns"]))  # fmt: skip
def test_the_unit_of_a_unix_time_is_the_one_that_gives_a_plausible_year(moment, unit):
    seconds = int(pd.Timestamp(moment, tz="UTC").timestamp())
    number = seconds * {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    assert epoch_units(pd.Series([float(number)])).tolist() == [unit]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_a_column_of_unix_times_is_read_in_its_unit(tmp_path, unit):
    number = 1743463800 * {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]  # 2025-03-31T23:30Z
    path = _write(tmp_path, HEADER + f"1,{number},Won,A\n2,,Lost,A\n")
    created = _load(path).table.to_pandas().set_index("lead_id")["created_at"]
    assert created["1"] == pd.Timestamp("2025-03-31 23:30") and pd.isna(created["2"])


def test_seconds_declared_as_milliseconds_are_refused_with_the_fix(tmp_path):
    path = _write(tmp_path, HEADER + "1,1740787200,Won,A\n")
    with pytest.raises(ValidationError) as err:
        _load(path, date_format="epoch_ms")
    assert "are Unix times in seconds, not milliseconds" in str(err.value) and "1970" in str(err.value)
    assert "set source.date_format: epoch_s" in str(err.value)


def test_numbers_that_are_no_plausible_time_in_any_unit_are_refused(tmp_path):
    path = _write(tmp_path, HEADER + "1,45717,Won,A\n2,45718,Won,A\n")  # Excel day numbers
    with pytest.raises(ValidationError, match="no Unix time between 1990 and 2100 in any unit"):
        _load(path)
    with pytest.raises(ValidationError, match="no Unix time between 1990 and 2100 in seconds, milliseconds"):
        _load(path, date_format="epoch_s")
    mixed = _write(tmp_path, HEADER + "1,1740787200000,Won,A\n2,1740787200,Won,A\n3,0,Won,A\n", "mixed.csv")
    with pytest.raises(ValidationError, match=r"Unix times in milliseconds, except in rows 3, 4"):
        _load(mixed)


def test_parquet_integer_epochs_are_read_too(tmp_path):
    path = tmp_path / "leads.parquet"
    pd.DataFrame({"id": [1, 2], "created": pd.array([1743463800000, None], dtype="Int64"), "status": ["Won", "Lost"],
                  "manager": ["A", "B"]}).to_parquet(path)  # fmt: skip
    assert _load(path).table.to_pandas().set_index("lead_id")["created_at"]["1"] == pd.Timestamp("2025-03-31 23:30")


def test_yyyymmdd_numbers_are_dates_not_unix_times(tmp_path):
    path = _write(tmp_path, HEADER + "1,20250331,Won,A\n")
    assert _load(path).table.to_pandas()["created_at"][0] == pd.Timestamp("2025-03-31")


# --- 6. Rows with the wrong number of fields -------------------------------------------------------------------
def test_a_trailing_delimiter_on_every_row_is_named_as_such(tmp_path):
    path = _write(tmp_path, "id;created;status;manager\n1;2025-03-01;Won;A;\n2;2025-03-01;Lost;B;\n")
    with pytest.raises(SourceError) as err:
        read_file(path)
    assert "every row ends with an extra ';'" in str(err.value) and "remove the trailing ';'" in str(err.value)


@pytest.mark.parametrize(
    "rows", ["1,2025-03-01,Won,A,\n2,2025-03-01,Won,B,\n", "1,2025-03-01,Won,A\n2,2025-03-01,Won,B,\n"]
)
def test_a_trailing_delimiter_on_the_header_is_one_empty_column(tmp_path, rows):
    path = _write(tmp_path, "id,created,status,manager,\n" + rows)
    assert sorted(_load(path).table.to_pandas()["manager"]) == ["A", "B"]


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_a_workbook_or_parquet_file_without_rows_has_no_leads(tmp_path, kind):
    path = tmp_path / f"leads.{kind}"
    empty = pd.DataFrame({"id": pd.Series([], dtype=str), "status": pd.Series([], dtype=str)})
    empty.to_excel(path, index=False) if kind == "xlsx" else empty.to_parquet(path)
    with pytest.raises(SourceError, match="no leads in"):
        _load(path)


@given(st.lists(st.integers(1, 6), min_size=1, max_size=8))
def test_rows_with_too_few_or_too_many_fields_are_named(counts):
    import tempfile

    rows = ["id,created,status,manager"] + [",".join(["x"] * n) for n in counts]
    short = [i for i, n in enumerate(counts, start=2) if n < 4]
    long = [i for i, n in enumerate(counts, start=2) if n > 4]
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), "\n".join(rows) + "\n")
        if not short and not long:
            assert len(read_file(path)) == len(counts)
            return
        if long and not short and all(n == 5 for n in counts):
            return  # every row one longer: the trailing-delimiter case, tested above
        with pytest.raises(SourceError) as err:
            read_file(path)
    message = str(err.value)
    if short:
        assert f"row(s) {', '.join(map(str, short[:10]))}" in message and "fewer fields" in message
    if long:
        assert f"row(s) {', '.join(map(str, long[:10]))}" in message and "more fields" in message


def test_quoted_delimiters_and_line_breaks_are_not_extra_fields(tmp_path):
    path = _write(tmp_path, HEADER + '1,2025-03-01,Won,"Smith, Ann"\n2,2025-03-01,Won,"Bob\nJr"\n')
    assert len(read_file(path)) == 2


# --- 7. Empty, header-only and odd files -----------------------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b"\xef\xbb\xbf\r\n"])
def test_an_empty_or_bom_only_file_says_it_is_empty(tmp_path, content):
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match="the file is empty"):
        read_file(path)


def test_a_header_only_file_has_no_leads(tmp_path):
    path = _write(tmp_path, HEADER)
    with pytest.raises(SourceError, match=r"no leads in .*leads\.csv: it has columns \('id', 'created'"):
        _load(path)


def test_a_directory_as_source_path_is_named_so(tmp_path):
    with pytest.raises(SourceError, match="is a directory, not a file"):
        _load(tmp_path)


def test_parquet_integer_ids_with_a_null_stay_integers(tmp_path):
    path = tmp_path / "leads.parquet"
    pd.DataFrame({"id": pd.array([9007199254740993, 9007199254740992, 3], dtype="Int64"),
                  "manager_id": [1.0, None, 2.0], "created": ["2025-03-01"] * 3, "status": ["Won"] * 3,
                  "manager": ["A", "B", None]}).to_parquet(path)  # fmt: skip
    leads = load_leads(params_for({"kind": "file", "path": str(path), **SIMPLE,
                                   "columns": {**SIMPLE["columns"], "manager": "manager_id"}}))  # fmt: skip
    frame = leads.table.to_pandas()
    assert sorted(frame["lead_id"]) == ["3", "9007199254740992", "9007199254740993"]
    assert sorted(frame["manager"]) == ["(unassigned)", "1", "2"]


def test_a_parquet_list_column_is_named_when_mapped_and_ignored_when_not(tmp_path):
    path = tmp_path / "leads.parquet"
    pd.DataFrame({"id": [1, 2], "created": ["2025-03-01"] * 2, "status": ["Won", "Lost"], "manager": ["A", "B"],
                  "tags": [["x"], ["y", "z"]]}).to_parquet(path)  # fmt: skip
    assert len(_load(path).table.to_pandas()) == 2
    with pytest.raises(ValidationError, match=r"column 'tags' \(mapped to manager\) holds lists or records"):
        load_leads(params_for({"kind": "file", "path": str(path), **SIMPLE,
                               "columns": {**SIMPLE["columns"], "manager": "tags"}}))  # fmt: skip


def test_every_refusal_above_is_a_leadkit_error():
    assert issubclass(SourceError, LeadkitError) and issubclass(ValidationError, LeadkitError)


def test_the_count_of_cleaned_values_travels_through_a_snapshot(tmp_path):
    from leadkit.snapshot import read_snapshot, write_snapshot
    from leadkit.sources import read_source

    path = _write(tmp_path, HEADER + "1,2025-03-01,Won,Ann\u200b\n2,2025-03-01,Won,Bob\x00\n")
    data = read_source(params_for({"kind": "file", "path": str(path), **SIMPLE}))
    assert data.cleaned_values == 2
    write_snapshot(data, tmp_path / "leads.parquet", "UTC")
    leads = read_snapshot(tmp_path / "leads.parquet")
    assert leads.cleaned_values == 2 and data_quality(leads, Scope()).cleaned_values == 2


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_cleaned_count_is_shown_in_every_format(tmp_path, lang):
    import openpyxl

    from leadkit.render.excel import write_workbook
    from leadkit.render.html import report_body
    from leadkit.render.labels import QUALITY

    path = _write(tmp_path, HEADER + "1,2025-03-01,Won,Ол\u200bьга\n2,2025-03-01,Lost,Bob\x00\n3,2025-03-01,Won,Bob\n")
    result = lead_conversion(_load(path))
    label = QUALITY[lang]["cleaned_values"]
    assert label in report_body(result, lang, with_chart=False)
    book = write_workbook(result, tmp_path / "r.xlsx", lang)
    cells = [(r[0], r[1]) for ws in openpyxl.load_workbook(book) for r in ws.iter_rows(values_only=True) if len(r) > 1]
    assert (label, 2) in cells
