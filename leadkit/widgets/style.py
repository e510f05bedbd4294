"""The panel's own styles: the busy state, the spinner, control widths (the report keeps report.css)."""

from __future__ import annotations

PANEL_CSS = """<style>
.leadkit-panel .leadkit-busy { opacity: 0.45; transition: opacity 0.15s; pointer-events: none; }
.leadkit-panel .leadkit-spinner { display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  vertical-align: -2px; border: 2px solid #c9d9ec; border-top-color: #3b6ea8; border-radius: 50%;
  animation: leadkit-spin 0.8s linear infinite; }
@keyframes leadkit-spin { to { transform: rotate(360deg); } }
.leadkit-panel p.leadkit-note { margin: 2px 0; color: #3b6ea8; }
.leadkit-panel p.leadkit-error { margin: 2px 0; padding: 4px 8px; color: #7a1f1c; background: #fbeceb;
  border-left: 3px solid #c0504d; max-width: 60em; white-space: normal; }
.leadkit-panel .widget-hbox { gap: 4px 14px; }
.leadkit-panel .widget-html-content { white-space: normal; min-width: 0; max-width: 100%; }
/* A flex item is as wide as its widest table by default: let the report fit the output and scroll its wide tables. */
.leadkit-panel > .widget-html, .leadkit-panel > .widget-accordion { min-width: 0; max-width: 100%; }
.leadkit-panel .leadkit-multi-box { flex: 1 1 200px; min-width: 180px; max-width: 360px; }
.leadkit-panel .leadkit-multi-box > .widget-inline-hbox { width: 100%; min-width: 0; margin-left: 0; margin-right: 0; }
.leadkit-panel .leadkit-multi-box input[type="text"] { width: 100%; box-sizing: border-box; }
/* A picker's checkboxes: the whole label shown (long names wrap, never cut), the box at its first line. */
.leadkit-panel .leadkit-options { border: 1px solid #d0d7de; border-radius: 2px; padding: 2px 6px; margin: 2px 0; }
.leadkit-panel .leadkit-options .widget-checkbox { width: 100%; height: auto; line-height: 1.35; margin: 1px 0; }
.leadkit-panel .leadkit-options .widget-label-basic { white-space: normal; overflow: visible; line-height: 1.35;
  display: flex; align-items: flex-start; gap: 6px; overflow-wrap: anywhere; }
.leadkit-panel .leadkit-options input[type="checkbox"] { flex: none; margin: 2px 0 0 0; }
.leadkit-panel .leadkit-more { color: #57606a; font-size: 12px; }
/* The chosen values, one button each ("× Ann"), wrapping; then "Clear". */
.leadkit-panel .leadkit-chosen { flex-wrap: wrap; gap: 4px; margin: 2px 0; align-items: center; }
.leadkit-panel .leadkit-chip { height: auto; min-height: 24px; line-height: 1.3; padding: 2px 8px; margin: 0;
  white-space: normal; overflow-wrap: anywhere; text-align: left; max-width: 100%; border-radius: 12px; }
.leadkit-panel .leadkit-chip.leadkit-clear { background: transparent; color: #3b6ea8; text-decoration: underline; }
.leadkit-panel a.leadkit-download { font-weight: bold; }
.leadkit-panel .widget-toggle-button { padding: 0 10px; }
.leadkit-panel .widget-dropdown select { text-overflow: clip; }
</style>"""


def spinner() -> str:
    return "<span class='leadkit-spinner' role='progressbar' aria-label='busy'></span>"
