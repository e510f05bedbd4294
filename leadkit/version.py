"""The version of leadkit: the one place it is written (pyproject.toml reads it from here).

A leaf module, so that ``leadkit --version`` and every page footer get it without
importing the package's heavy parts.
"""

__version__ = "0.2.0"

# The packages besides leadkit that compute the figures: a cache or a period built with other
# versions of them is built again (renderers change how a report looks, never its numbers).
COMPUTE_PACKAGES = ("ibis-framework", "duckdb", "pandas", "pyarrow")


def installed(name: str) -> str:
    """The installed version of package ``name``, or "not installed"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def compute_versions() -> dict[str, str]:
    """leadkit's version and those of the packages that compute the figures.

    Read from the modules themselves, which every computation imports anyway: reading the
    installed packages' metadata took 50 ms of a command's start.
    """
    import duckdb
    import ibis
    import pandas
    import pyarrow

    modules = dict(zip(COMPUTE_PACKAGES, (ibis, duckdb, pandas, pyarrow), strict=True))
    return {"leadkit": __version__} | {name: str(module.__version__) for name, module in modules.items()}
