"""leadkit: lead conversion, lost leads and employee performance reports for service businesses.

The public names are imported on first use, so that ``leadkit --help`` and other light
commands do not pay for the engines and renderers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from leadkit.version import __version__

if TYPE_CHECKING:
    from leadkit.api import compute, employee_performance, lead_conversion, lost_leads
    from leadkit.exceptions import LeadkitError
    from leadkit.leads import Leads, load_leads
    from leadkit.method import Method
    from leadkit.params import Params, load_params
    from leadkit.periods import Period, parse_period
    from leadkit.scope import Filters, Scope

_PUBLIC = {
    "Filters": "leadkit.scope",
    "LeadkitError": "leadkit.exceptions",
    "Leads": "leadkit.leads",
    "Method": "leadkit.method",
    "Params": "leadkit.params",
    "Period": "leadkit.periods",
    "Scope": "leadkit.scope",
    "compute": "leadkit.api",
    "employee_performance": "leadkit.api",
    "lead_conversion": "leadkit.api",
    "load_leads": "leadkit.leads",
    "load_params": "leadkit.params",
    "lost_leads": "leadkit.api",
    "parse_period": "leadkit.periods",
}

__all__ = [
    "Filters",
    "LeadkitError",
    "Leads",
    "Method",
    "Params",
    "Period",
    "Scope",
    "__version__",
    "compute",
    "employee_performance",
    "lead_conversion",
    "load_leads",
    "load_params",
    "lost_leads",
    "parse_period",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'leadkit' has no attribute {name!r}")
