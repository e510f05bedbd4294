"""The version of leadkit: the one place it is written (pyproject.toml reads it from here).

A leaf module, so that ``leadkit --version`` and every page footer get it without
importing the package's heavy parts.
"""

__version__ = "0.2.0"
