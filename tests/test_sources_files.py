"""Reading exports: encodings (never silent mojibake), delimiters, XLSX and Parquet."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import params_for

from leadkit.api import lead_conversion
from leadkit.exceptions import SourceError
from leadkit.leads import load_leads
from leadkit.sources.files import decode, read_file, sniff_delimiter

RU_CSV = "Номер;Создан;Тип;Статус;Менеджер\n1;01.03.2025 10:00;Звонок;Успешный заказ;Анна\n2;31.03.2025 23:59;Сайт;Дорого;Борис\n"
RU_SOURCE = {
    "kind": "file",
    "columns": {
        "lead_id": "Номер",
        "created_at": "Создан",
        "lead_type": "Тип",
        "status": "Статус",
        "manager": "Менеджер",
    },
    "date_format": "%d.%m.%Y %H:%M",
    "status_groups": {"Успешный заказ": "won", "Дорого": "lost"},
    "status_results": {"Успешный заказ": "order"},
}


@pytest.mark.parametrize(("encoding", "declared"), [("utf-8", None), ("utf-8-sig", None), ("cp1251", None),
                                                    ("cp1251", "cp1251"), ("utf-8-sig", "utf-8")])  # fmt: skip
def test_russian_exports_load_in_every_encoding(tmp_path, encoding, declared):
    path = tmp_path / "leads.csv"
    path.write_bytes(RU_CSV.encode(encoding))
    source = {**RU_SOURCE, "path": str(path)} | ({"encoding": declared} if declared else {})
    result = lead_conversion(load_leads(params_for(source)), period="2025-03")
    assert sorted(result.rows["lead_type"]) == ["Звонок", "Сайт"]
    assert result.total["orders"] == 1 and result.total["lost"] == 1


def test_utf8_file_declared_cp1251_is_refused_not_garbled():
    with pytest.raises(SourceError, match="valid UTF-8 but source.encoding says 'cp1251'"):
        decode(RU_CSV.encode("utf-8"), "cp1251", "leads.csv")


def test_undecodable_bytes_name_the_line():
    data = b"a,b\nok,ok\n" + b"\xff\xfe\xfa,x\n"
    with pytest.raises(SourceError, match="line 3"):
        decode(data, "utf-8", "leads.csv")
    with pytest.raises(SourceError, match="set source.encoding"):
        decode("id\nÉté café\n".encode("latin-1"), None, "leads.csv")


@pytest.mark.parametrize(("header", "sep"), [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("single", ",")])
def test_delimiter_is_sniffed_from_the_header(header, sep):
    assert sniff_delimiter(header + "\n1,2;3\n") == sep


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(SourceError, match="file not found"):
        read_file(tmp_path / "none.csv")
    with pytest.raises(SourceError, match="set source.format"):
        read_file(tmp_path / "leads.json")


def test_ragged_csv_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('id,status\n1,Won\n2,"Lost\n', encoding="utf-8")
    with pytest.raises(SourceError, match="not a readable CSV"):
        read_file(path)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "created": pd.to_datetime(["2025-03-01 10:00", "2025-03-31 23:00", "2025-04-01 00:00"]),
            "status": ["Won", "Lost", "Won"],
        }
    )


SIMPLE = {"columns": {"lead_id": "id", "created_at": "created", "status": "status"},
          "status_groups": {"Won": "won", "Lost": "lost"}}  # fmt: skip


def test_xlsx_with_native_dates(tmp_path):
    path = tmp_path / "leads.xlsx"
    _frame().to_excel(path, index=False, sheet_name="Leads")
    leads = load_leads(params_for({"kind": "file", "path": str(path), "sheet": "Leads", **SIMPLE}))
    assert lead_conversion(leads, period="2025-03").total["leads"] == 2


def test_xlsx_missing_sheet(tmp_path):
    path = tmp_path / "leads.xlsx"
    _frame().to_excel(path, index=False)
    with pytest.raises(SourceError, match="source.sheet"):
        load_leads(params_for({"kind": "file", "path": str(path), "sheet": "Nope", **SIMPLE}))


def test_parquet_with_typed_columns(tmp_path):
    path = tmp_path / "leads.parquet"
    _frame().to_parquet(path)
    leads = load_leads(params_for({"kind": "file", "path": str(path), **SIMPLE}))
    assert lead_conversion(leads, period="2025-03").total["converted"] == 1


def test_timestamps_with_offsets_are_compared_in_the_declared_timezone(tmp_path):
    # 22:30 UTC on March 31 is already April 1 in Kyiv (UTC+3 in summer time).
    path = tmp_path / "tz.csv"
    path.write_text("id,created,status\n1,2025-03-31T22:30:00+00:00,Won\n2,2025-03-31T20:00:00Z,Won\n", "utf-8")
    source = {"kind": "file", "path": str(path), **SIMPLE}
    kyiv = load_leads(params_for(source, timezone="Europe/Kyiv"))
    assert lead_conversion(kyiv, period="2025-03").total["leads"] == 1
    assert lead_conversion(kyiv, period="2025-04").total["leads"] == 1
    utc = load_leads(params_for(source))
    assert lead_conversion(utc, period="2025-03").total["leads"] == 2


def test_epoch_milliseconds(tmp_path):
    path = tmp_path / "epoch.csv"
    path.write_text("id,created,status\n1,1740787200000,Won\n", "utf-8")  # 2025-03-01T00:00Z
    leads = load_leads(params_for({"kind": "file", "path": str(path), **SIMPLE, "date_format": "epoch_ms"}))
    assert lead_conversion(leads, period="2025-03-01").total["leads"] == 1
