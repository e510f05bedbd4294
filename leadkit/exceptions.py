"""The exceptions leadkit raises on purpose: one root, one subclass per kind of problem.

Every message says what is wrong, where, and what to do; the CLI prints it without a
traceback and exits non-zero.
"""


class LeadkitError(Exception):
    """Root of every error leadkit raises for an expected problem."""


class ParamsError(LeadkitError):
    """A params file or a parameter value is missing, malformed or not allowed."""


class PeriodError(ParamsError):
    """A period, date or basis cannot be understood or does not fit the data."""


class SourceError(LeadkitError):
    """A source cannot be read: missing file, unknown format, undecodable bytes."""


class ValidationError(LeadkitError):
    """The source was read but its rows break the canonical lead model."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{where}: {len(self.problems)} problem(s) in the lead data:\n{lines}\n"
            "Fix the data or the source mapping in the params file, then run again."
        )


class AccessDenied(LeadkitError):
    """A dashboard page's viewer is missing or not among the params' viewers: no data is read or shown."""

    def __init__(self, user: str, contact: str | None, lang: str) -> None:
        self.user = user  # as the proxy's header named them; empty when there was no header
        self.contact = contact  # whom to ask, from the params
        self.lang = lang
        super().__init__(
            f"{user or 'a page without the viewer header'} has no access to these reports (not among "
            "dashboard.viewers.users in the params file)"
        )


class ReportError(LeadkitError):
    """A report was asked for something it cannot compute (unknown name, bad filter)."""


class SetupError(LeadkitError):
    """Something leadkit needs is not installed or not in place (an optional package, a notebook)."""


class ApiError(SourceError):
    """The RemOnline API refused a request, or kept failing after every retry."""
