"""Per-period manifests: what was built from what, so a re-run can skip what still holds."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadkit.atomic import write_text
from leadkit.version import compute_versions, installed

NAME = "manifest.json"
# The renderers, recorded for the reader; only the compute packages' versions make a period stale.
RENDERERS = ("papermill", "nbconvert", "weasyprint", "xlsxwriter")


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), **compute_versions()} | {name: installed(name) for name in RENDERERS}


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Manifest:
    """One period's record: its inputs (params, data fingerprint, versions) and outputs."""

    period: str
    params: dict[str, Any]
    fingerprint: str
    versions: dict[str, str] = field(default_factory=versions)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Seconds per report and stage (kernel_start, imports, compute, excel, html, pdf): for the reader
    # and benchmarks/batch_year.py; never compared on a re-run.
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    finished_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def add(self, path: Path) -> None:
        self.files[path.name] = {"bytes": path.stat().st_size, "sha256": file_digest(path)}

    def write(self, folder: Path) -> None:
        write_text(folder / NAME, json.dumps(self.__dict__, ensure_ascii=False, indent=2))


def read(folder: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((folder / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def still_valid(folder: Path, params: dict[str, Any], fingerprint: str, expected: list[str]) -> bool:
    """True when the period was built, whole and successfully, from the same inputs."""
    old = read(folder)
    if not old or old.get("fingerprint") != fingerprint or old.get("params") != params:
        return False
    recorded = old.get("versions", {})
    if any(recorded.get(name) != version for name, version in compute_versions().items()):
        return False
    if sorted(old.get("files", {})) != sorted(expected):
        return False
    for name, info in old["files"].items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != info["bytes"] or file_digest(path) != info["sha256"]:
            return False
    return True
