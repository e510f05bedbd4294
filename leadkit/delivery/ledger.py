"""The delivery log: what was sent, so a rerun sends nothing twice.

One JSON file beside a period's manifest (``OUT/<group>/<period>/delivery-log.json``)
records each message a server accepted: recipient × fingerprint of the data they were
sent → Message-ID and time. It is rewritten atomically after every accepted message, so
a crash between two recipients leaves the first logged and the second not. Alerts keep
their own log at the delivery root, with the time each alert was last sent.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from leadkit.atomic import write_text
from leadkit.exceptions import LeadkitError
from leadkit.lock import only_one

NAME = "delivery-log.json"
ALERTS_NAME = "alerts-log.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise LeadkitError(
            f"delivery log {path} cannot be read ({exc}); move it aside to send again, or restore it"
        ) from None
    return data if isinstance(data, dict) else {}


@dataclass
class Ledger:
    """The messages sent for one period folder, keyed by ``email|fingerprint``."""

    path: Path

    @staticmethod
    def key(email: str, print_: str) -> str:
        return f"{email.lower()}|{print_}"

    def sent(self, email: str, print_: str) -> dict[str, Any] | None:
        entry: dict[str, Any] | None = _read(self.path).get("sent", {}).get(self.key(email, print_))
        return entry

    def record(self, email: str, print_: str, period: str, message_id: str) -> None:
        """Log one accepted message, at once and atomically (the file is read again: it is the truth)."""
        data = _read(self.path)
        data.setdefault("sent", {})[self.key(email, print_)] = {
            "email": email, "period": period, "fingerprint": print_, "message_id": message_id, "sent_at": _now(),
        }  # fmt: skip
        write_text(self.path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


@dataclass
class AlertLog:
    """When each alert (by its key) was last sent."""

    path: Path

    def recent(self, key: str, hours: float, now: datetime | None = None) -> bool:
        """True when the alert ``key`` was sent less than ``hours`` ago."""
        entry = _read(self.path).get(key)
        if not entry:
            return False
        sent = datetime.fromisoformat(entry["sent_at"])
        return (now or datetime.now(UTC)) - sent < timedelta(hours=hours)

    def record(self, key: str, message_id: str, what: str) -> None:
        data = _read(self.path)
        data[key] = {"message_id": message_id, "sent_at": _now(), "what": what}
        write_text(self.path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


def delivering(root: Path) -> contextlib.AbstractContextManager[None]:
    """One delivery (or alert run) at a time per output folder: two at once could both send."""
    return only_one(root / ".delivery.lock", f"another leadkit deliver or alert is running on {root}; wait for it")
