"""Locks between processes on one cache folder: fcntl.flock, released by the kernel when a process ends.

A lock that is taken waits (polling, so Ctrl+C still works), says once on stderr what it
waits for, and gives up after ``timeout`` seconds with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from leadkit.exceptions import LeadkitError, SourceError
from leadkit.log import get_logger

log = get_logger("lock")
POLL_SECONDS = 0.2


def _holder(path: Path) -> str:
    """`` (pid N)`` of the process that wrote its id into the lock file, if it did."""
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def _open(path: Path, exclusive: bool) -> int | None:
    """A descriptor of the lock file, or None when a reader may not create it (a read-only cache)."""
    try:
        if exclusive:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.parent.is_dir():
            return None
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        if not exclusive:
            return None
        raise SourceError(f"cannot create the lock file {path}: {exc.strerror}; check the folder's rights") from None


def _acquire(fd: int, path: Path, exclusive: bool, timeout: float, busy: str, hint: str) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(path)
        if time.monotonic() >= deadline:
            raise SourceError(
                f"{busy}{holder} for more than {timeout / 60:g} min; let it finish (or stop it), then run "
                f"again — or {hint}"
            )
        if not told:
            log.warning("%s%s; waiting for it (at most %g min)", busy, holder, timeout / 60)
            told = True
        time.sleep(POLL_SECONDS)


@contextlib.contextmanager
def locked(
    path: Path,
    *,
    exclusive: bool,
    timeout: float,
    busy: str,
    hint: str,
) -> Iterator[None]:
    """Hold ``path`` exclusively (one writer) or shared (many readers) for the ``with`` block.

    ``busy`` says what another process is doing while it holds the lock, e.g. "the cache X
    is being synced by another leadkit process"; ``hint`` the other way out when it waits too long.
    """
    fd = _open(path, exclusive)
    if fd is None:
        yield
        return
    try:
        _acquire(fd, path, exclusive, timeout, busy, hint)
        if exclusive:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def only_one(path: Path, refused: str) -> Iterator[None]:
    """Hold ``path`` for the ``with`` block, or refuse at once with ``refused`` when another process holds it.

    For work two processes must never do at once on one folder (a batch, a delivery), where
    waiting would only repeat what the other does.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LeadkitError(refused) from None
        yield
