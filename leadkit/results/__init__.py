"""Results: what the reports compute and the renderers draw — numbers only, one declared contract."""

from leadkit.results.lists import LeadList
from leadkit.results.quality import DataQuality
from leadkit.results.reports import (
    Comparison,
    ConversionResult,
    EmployeeResult,
    LostLeadsResult,
    ReportMeta,
    Result,
)

__all__ = [
    "Comparison",
    "ConversionResult",
    "DataQuality",
    "EmployeeResult",
    "LeadList",
    "LostLeadsResult",
    "ReportMeta",
    "Result",
]
