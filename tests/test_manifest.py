"""Manifests: a period is skipped only when it was built whole from the same data, params and leadkit."""

from __future__ import annotations

import hashlib
import json

import pytest

from leadkit.pipeline import manifest
from leadkit.pipeline.manifest import Manifest, read, still_valid
from leadkit.version import __version__

PARAMS = {"period": {"label": "2025-03", "kind": "month"}, "lang": "en", "reports": ["lost_leads"]}
ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256(b"abc"), FIPS 180-2


@pytest.fixture()
def built(tmp_path):
    """A period folder with two outputs and the manifest that records them."""
    folder = tmp_path / "2025-03"
    folder.mkdir()
    (folder / "lost_leads.html").write_bytes(b"abc")
    (folder / "lost_leads.xlsx").write_bytes(b"0123456789")
    record = Manifest(period="2025-03", params=PARAMS, fingerprint="f" * 20)
    record.add(folder / "lost_leads.html")
    record.add(folder / "lost_leads.xlsx")
    record.write(folder)
    return folder


EXPECTED = ["lost_leads.xlsx", "lost_leads.html"]


def test_add_records_size_and_sha256(built):
    data = read(built)
    assert data is not None
    assert data["files"]["lost_leads.html"] == {"bytes": 3, "sha256": ABC_SHA256}
    assert data["files"]["lost_leads.xlsx"] == {"bytes": 10, "sha256": hashlib.sha256(b"0123456789").hexdigest()}
    assert data["period"] == "2025-03" and data["params"] == PARAMS and data["fingerprint"] == "f" * 20
    assert data["versions"]["leadkit"] == __version__ and "python" in data["versions"]


def test_unchanged_inputs_and_outputs_are_still_valid(built):
    assert still_valid(built, PARAMS, "f" * 20, EXPECTED)


@pytest.mark.parametrize(
    ("params", "fingerprint", "expected"),
    [
        (PARAMS, "e" * 20, EXPECTED),  # the data changed
        ({**PARAMS, "lang": "ru"}, "f" * 20, EXPECTED),  # the params changed
        ({k: v for k, v in PARAMS.items() if k != "lang"}, "f" * 20, EXPECTED),  # a param was removed
        (PARAMS, "f" * 20, [*EXPECTED, "lost_leads.pdf"]),  # a format was added
        (PARAMS, "f" * 20, ["lost_leads.html"]),  # a format was dropped
    ],
)
def test_changed_inputs_make_the_period_stale(built, params, fingerprint, expected):
    assert not still_valid(built, params, fingerprint, expected)


def test_another_leadkit_version_makes_the_period_stale(built, monkeypatch):
    import leadkit.version

    monkeypatch.setattr(leadkit.version, "__version__", "99.0.0")
    assert not still_valid(built, PARAMS, "f" * 20, EXPECTED)


def test_an_output_changed_removed_or_resized_makes_the_period_stale(built):
    (built / "lost_leads.html").write_bytes(b"abd")  # same size, other content
    assert not still_valid(built, PARAMS, "f" * 20, EXPECTED)
    (built / "lost_leads.html").write_bytes(b"abc")
    assert still_valid(built, PARAMS, "f" * 20, EXPECTED)
    (built / "lost_leads.xlsx").write_bytes(b"01234567890")
    assert not still_valid(built, PARAMS, "f" * 20, EXPECTED)
    (built / "lost_leads.xlsx").unlink()
    assert not still_valid(built, PARAMS, "f" * 20, EXPECTED)


def test_a_missing_or_broken_manifest_is_not_valid(built):
    (built / manifest.NAME).write_text('{"period": "2025-03", "params": ')  # cut short by a crash
    assert read(built) is None and not still_valid(built, PARAMS, "f" * 20, EXPECTED)
    (built / manifest.NAME).unlink()
    assert read(built) is None and not still_valid(built, PARAMS, "f" * 20, EXPECTED)


def test_the_manifest_is_plain_json_with_cyrillic_kept(tmp_path):
    Manifest(period="2025-03", params={"filters": {"managers": ["Ольга"]}}, fingerprint="x").write(tmp_path)
    text = (tmp_path / manifest.NAME).read_text(encoding="utf-8")
    assert "Ольга" in text and json.loads(text)["params"] == {"filters": {"managers": ["Ольга"]}}


def test_versions_name_each_package_or_say_not_installed(monkeypatch):
    monkeypatch.setattr(manifest, "RENDERERS", ("xlsxwriter", "no-such-package-leadkit-test"))
    found = manifest.versions()
    compute = {"leadkit", "ibis-framework", "duckdb", "pandas", "pyarrow"}
    assert set(found) == {"python", *compute, "xlsxwriter", "no-such-package-leadkit-test"}
    assert found["no-such-package-leadkit-test"] == "not installed" and found["leadkit"] == __version__
    import pandas

    assert found["pandas"] == pandas.__version__


def test_another_compute_package_makes_the_period_stale_but_a_renderer_does_not(built):
    data = read(built)
    assert data is not None
    data["versions"]["xlsxwriter"] = "0.0.1"  # another renderer: the figures are the same
    (built / manifest.NAME).write_text(json.dumps(data))
    assert still_valid(built, PARAMS, "f" * 20, EXPECTED)
    data["versions"]["duckdb"] = "0.0.1"  # another engine may compute other figures
    (built / manifest.NAME).write_text(json.dumps(data))
    assert not still_valid(built, PARAMS, "f" * 20, EXPECTED)
