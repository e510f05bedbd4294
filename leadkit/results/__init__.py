"""Results: what the reports compute and the renderers draw — numbers only, one declared contract."""

from leadkit.results.lists import LeadList
from leadkit.results.quality import DataQuality
from leadkit.results.reports import (
    Comparison,
    ConversionResult,
    EmployeeResult,
    Highlight,
    LostLeadsResult,
    ReportMeta,
    Result,
)

__all__ = [
    "Comparison",
    "ConversionResult",
    "DataQuality",
    "EmployeeResult",
    "Highlight",
    "LeadList",
    "LostLeadsResult",
    "ReportMeta",
    "Result",
]
