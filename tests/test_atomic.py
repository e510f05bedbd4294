"""Atomic writes: readers see the old file or the whole new one; a failure leaves no trace."""

from __future__ import annotations

import os
import stat

import pytest

from leadkit.atomic import atomic_path, write_text


def test_write_text_replaces_the_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    write_text(target, "новый отчёт")
    assert target.read_text(encoding="utf-8") == "новый отчёт"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_writer_that_raises_keeps_the_old_file_and_removes_its_temporary_one(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old bytes")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a new fi")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_failed_first_write_creates_no_file(tmp_path):
    target = tmp_path / "new.json"
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_text("{")
        raise ValueError("bad")
    assert list(tmp_path.iterdir()) == []


def test_readers_see_the_old_file_until_the_new_one_is_whole(tmp_path):
    target = tmp_path / "index.html"
    target.write_text("old")
    with atomic_path(target) as tmp:
        tmp.write_text("new")
        assert target.read_text() == "old"  # still being written: nothing of it shows
        assert tmp.parent == target.parent and tmp.name.startswith(".index.html.") and tmp.name.endswith(".part")
    assert target.read_text() == "new" and not tmp.exists()


def test_missing_folders_are_made(tmp_path):
    target = tmp_path / "OUT" / "2025-W05" / "manifest.json"
    write_text(target, "{}")
    assert target.read_text() == "{}"


def test_the_file_is_readable_by_others_as_the_umask_allows(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    write_text(tmp_path / "shared.txt", "x")
    assert stat.S_IMODE((tmp_path / "shared.txt").stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600
