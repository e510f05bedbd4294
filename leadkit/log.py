"""Logging set-up for the CLI; library code only calls ``logging.getLogger``."""

import logging

LOGGER_NAME = "leadkit"


def get_logger(name: str = "") -> logging.Logger:
    """Return the package logger or one of its children."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


def configure(verbosity: int = 0) -> None:
    """Send leadkit's log lines to stderr: warnings by default, more with -v/-vv."""
    level = logging.WARNING - 10 * max(0, min(verbosity, 2))
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
