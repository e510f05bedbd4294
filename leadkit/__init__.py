"""leadkit: lead conversion, lost leads and employee performance reports for service businesses."""

from leadkit.exceptions import LeadkitError
from leadkit.leads import Leads, load_leads
from leadkit.params import Params, load_params
from leadkit.periods import Period, parse_period
from leadkit.reports import compute, employee_performance, lead_conversion, lost_leads
from leadkit.scope import Filters, Scope

__version__ = "0.1.0"

__all__ = [
    "Filters",
    "LeadkitError",
    "Leads",
    "Params",
    "Period",
    "Scope",
    "compute",
    "employee_performance",
    "lead_conversion",
    "load_leads",
    "load_params",
    "lost_leads",
    "parse_period",
]
