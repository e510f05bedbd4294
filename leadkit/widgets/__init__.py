"""The interactive report: a filter panel (ipywidgets) over one report, for JupyterLab and Voilà.

- ``panel``: ReportPanel, the filters and the report they drive
- ``latest``: the newest request wins (debounce, worker thread, generation counter)
- ``periodpicker``: period kind, period, custom dates
- ``pickers``: checkbox lists with lead counts, narrowed by typing and by the other filters
- ``export``: the report on screen as .xlsx and a download link
- ``words``, ``style``: the panel's own words and styles
"""

from leadkit.widgets.export import default_export_dir
from leadkit.widgets.panel import ReportPanel
from leadkit.widgets.periodpicker import ALL_TIME, CUSTOM

__all__ = ["ALL_TIME", "CUSTOM", "ReportPanel", "default_export_dir"]
