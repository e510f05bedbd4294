"""Printed definitions follow the method the figures were computed with."""

from __future__ import annotations

import pytest

from leadkit.method import DEFAULT, Method
from leadkit.render.definitions import TEXTS, USED, definitions


def text(report: str, lang: str, method: Method) -> str:
    return " ".join(sentence for _, sentence in definitions(report, lang, method))


def test_default_method_prints_the_usual_numbers():
    en = text("employee_performance", "en", DEFAULT)
    assert "fewer than 30 leads" in en and "z = 1.96" in en and "p < 0.05" in en and "95% interval" in en
    assert "over the 12 months" in en and "at most 27 days" in en
    ru = text("employee_performance", "ru", DEFAULT)
    assert "меньше 30 обращений" in ru and "z = 1,96" in ru and "p < 0,05" in ru and "за последние 12 месяцев" in ru


def test_a_changed_constant_changes_the_printed_text():
    method = Method(confidence=0.9, alpha=0.01, min_leads=2, trend_length=6, weekly_up_to_days=21)
    en = text("employee_performance", "en", method)
    assert "fewer than 2 leads" in en and "z = 1.64" in en and "p < 0.01" in en and "90% interval" in en
    assert "over the 6 months" in en and "at most 21 days" in en and "30" not in en
    ru = text("employee_performance", "ru", method)
    assert (
        "меньше 2 обращений" in ru and "z = 1,64" in ru and "не более 21 дня" in ru and "за последние 6 месяцев" in ru
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_report_has_its_definitions_in_both_languages(lang):
    assert set(TEXTS["en"]) == set(TEXTS["ru"])
    for report, keys in USED.items():
        printed = definitions(report, lang, DEFAULT)
        assert [k for k, _ in printed] == list(keys)
        assert all("{" not in sentence for _, sentence in printed)
