"""Row-level views: the params' viewers, the allowance as part of the scope, the viewer from the header only."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import params_for

from leadkit import notebook as lk
from leadkit.exceptions import AccessDenied, ParamsError, SetupError
from leadkit.leads import load_leads
from leadkit.method import DEFAULT
from leadkit.params import load_params
from leadkit.render.access import denied_text, view_text
from leadkit.render.html import notebook_html
from leadkit.render.jsonout import to_dict
from leadkit.reports import compute
from leadkit.scope import Filters, Scope
from leadkit.serve import serve, voila_command
from leadkit.viewers import Denied, Viewer, header_env, viewer_of
from leadkit.widgets import ReportPanel

DEMO = {"kind": "demo", "rows": 3000, "seed": 7, "start": "2024-01-01", "end": "2025-12-31"}
ANNA, EMMA = "Ava Foster", "Emma Davis"  # two of the demo's managers
VIEWERS = {
    "header": "X-Leadkit-User",
    "contact": "Olga Petrova, olga@example.com",
    "users": {
        "ava@example.com": {"managers": [ANNA]},
        "north@example.com": {"branches": ["North"]},
        "boss@example.com": {"all": True},
    },
}
ENV = header_env("X-Leadkit-User")


def write_params(folder: Path, viewers: object = VIEWERS, lang: str = "en") -> Path:
    path = folder / "params.yaml"
    data = {"source": DEMO, "period": "2025", "lang": lang, "dashboard": {"viewers": viewers}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def figures(result) -> dict:
    """Everything the JSON output says, but when it was made and the data quality (a viewer's counts their own)."""
    return {k: v for k, v in to_dict(result).items() if k not in ("generated_at", "data_quality")}


@pytest.fixture(scope="module")
def leads():
    return load_leads(params_for(DEMO))


# ----- params


@pytest.mark.parametrize(
    ("users", "key", "says"),
    [
        ({}, "dashboard.viewers.users", "at least one user"),
        ({"a@x": {}}, "dashboard.viewers.users.a@x", "managers and/or branches"),
        ({"a@x": {"managers": []}}, "dashboard.viewers.users.a@x.managers", "empty list would show every lead"),
        ({"a@x": {"branches": [" "]}}, "dashboard.viewers.users.a@x.branches", "empty"),
        ({"a@x": {"all": True, "managers": [ANNA]}}, "dashboard.viewers.users.a@x", "keep one of the two"),
        ({"a@x": {"manager": [ANNA]}}, "dashboard.viewers.users.a@x.manager", "Extra inputs"),
        ({"a@x": {"all": True}, "A@X": {"all": True}}, "dashboard.viewers.users", "are one user"),
    ],
)
def test_a_bad_viewer_is_one_error_naming_the_file_and_key(tmp_path, users, key, says):
    path = write_params(tmp_path, {"users": users})
    with pytest.raises(ParamsError) as caught:
        load_params(path)
    message = str(caught.value)
    assert str(path) in message and f"{key}:" in message and says in message


def test_the_header_must_be_one_only_a_proxy_sets(tmp_path):
    for header, says in (("Cookie", "sent by the browser"), ("X Bad", "letters, digits and dashes")):
        with pytest.raises(ParamsError, match=says):
            load_params(write_params(tmp_path, {**VIEWERS, "header": header}))
    with pytest.raises(ParamsError, match="dashboard.view: Extra inputs"):
        path = tmp_path / "typo.yaml"
        path.write_text(yaml.safe_dump({"source": DEMO, "dashboard": {"view": VIEWERS}}), encoding="utf-8")
        load_params(path)


def test_a_user_named_like_a_secret_is_data_not_a_secret(tmp_path):
    params = load_params(write_params(tmp_path, {"users": {"token": {"all": True}}}))
    assert params.dashboard.viewers is not None and "token" in params.dashboard.viewers.users


# ----- the allowance is part of the scope


def test_a_viewers_figures_are_compute_with_their_filter(leads):
    base = Scope().updated(period="2025")
    mine = base.allowed(Filters(managers=(ANNA,)))
    for name in ("lead_conversion", "lost_leads", "employee_performance"):
        expected = compute(name, leads, base.updated(managers=[ANNA]))
        assert figures(compute(name, leads, mine)) == figures(expected)
        assert figures(compute(name, leads, base)) != figures(expected)  # (the filter changes something)


def test_a_viewers_data_quality_counts_only_their_leads(leads):
    theirs = Scope().updated(managers=[ANNA])  # all time: every lead of theirs is in scope
    quality = compute("lost_leads", leads, Scope().allowed(Filters(managers=(ANNA,)))).meta.data_quality
    assert quality.rows_read == quality.rows_loaded == quality.leads_in_scope
    assert quality.leads_in_scope == compute("lost_leads", leads, theirs).meta.data_quality.leads_in_scope
    assert quality.excluded["filtered_out"] == 0  # the company's other leads are not "filtered out": not there
    assert compute("lost_leads", leads, theirs).meta.data_quality.excluded["filtered_out"] > 0


def test_nothing_a_viewer_sees_tells_the_companys_lead_total(leads):
    total = leads.rows_read
    result = compute("lead_conversion", leads, Scope().allowed(Filters(managers=(ANNA,))))
    shown = json.dumps(to_dict(result), ensure_ascii=False) + notebook_html(result, "en") + notebook_html(result, "ru")
    for form in (str(total), f"{total:,}", f"{total:,}".replace(",", "\u202f"), f"{total:,}".replace(",", " ")):
        assert form not in shown


def test_a_filter_narrows_a_viewer_but_never_widens(leads):
    scope = Scope().updated(period="2025").allowed(Filters(branches=("North",)))
    assert scope.filters.branches == ("North",)  # no filter: the allowance
    assert scope.updated(branches=["Central"]).filters.branches == ("North",)  # outside: dropped
    assert scope.updated(branches=["Central", "North"]).filters.branches == ("North",)
    assert scope.updated(managers=[EMMA]).filters == Filters(managers=(EMMA,), branches=("North",))  # narrower
    wider = Scope(period=scope.period, filters=Filters(branches=("Central",)), allowance=scope.allowance)
    assert wider.filters.branches == ("North",)  # built from scratch: still inside
    with pytest.raises(Exception, match="already belongs to a viewer"):
        scope.allowed(Filters(branches=("Central",)))


# ----- the kernel reads the viewer from the header's variable only


def test_the_viewer_comes_from_the_header_variable_only(tmp_path, monkeypatch):
    path = write_params(tmp_path)
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setenv("QUERY_STRING", "user=boss@example.com&X-Leadkit-User=boss@example.com")
    monkeypatch.setenv("HTTP_X_OTHER_USER", "boss@example.com")
    with pytest.raises(AccessDenied) as denied:
        lk.load(str(path))
    assert (denied.value.user, denied.value.contact, denied.value.lang) == ("", "Olga Petrova, olga@example.com", "en")
    monkeypatch.setenv(ENV, "stranger@example.com")
    with pytest.raises(AccessDenied, match="stranger@example.com has no access") as denied:
        lk.load(str(path))
    assert denied.value.user == "stranger@example.com"
    monkeypatch.setenv(ENV, " AVA@example.com ")
    workspace = lk.load(str(path))
    assert isinstance(workspace, lk.Workspace)
    assert workspace.viewer == Viewer("ava@example.com", Filters(managers=(ANNA,)))
    assert workspace.scope.filters.managers == (ANNA,)
    result = lk.report("lead_conversion", workspace, managers=[EMMA])  # a notebook parameter cannot widen
    assert result.meta.scope.filters.managers == (ANNA,)
    quality = result.meta.data_quality  # counted over their leads only
    assert (
        quality.rows_read
        == quality.rows_loaded
        == len(workspace.leads.table.filter(lambda t: t.manager == ANNA).to_pandas())
    )


def test_without_viewers_nothing_changes(tmp_path, monkeypatch):
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump({"source": DEMO, "period": "2025"}), encoding="utf-8")
    monkeypatch.delenv(ENV, raising=False)
    workspace = lk.load(str(path))
    assert isinstance(workspace, lk.Workspace) and workspace.viewer is None
    assert not workspace.scope.allowance.active


def test_viewer_of_matches_names_ignoring_case_and_refuses_blank(tmp_path):
    viewers = load_params(write_params(tmp_path)).dashboard.viewers
    assert viewers is not None
    assert viewer_of(viewers, "en", {ENV: "Boss@Example.com"}) == Viewer("boss@example.com", Filters())
    assert isinstance(viewer_of(viewers, "ru", {ENV: "   "}), Denied)


def test_the_access_lines_say_who_and_whom_to_ask_in_both_languages():
    assert view_text("ava@example.com", Filters(managers=(ANNA,)), "en") == (
        f"Your view — Managers: {ANNA} (signed in as ava@example.com)."
    )
    assert view_text("boss@example.com", Filters(), "ru") == "Ваш доступ — все обращения (вход: boss@example.com)."
    assert denied_text("x@y", "Olga", "en") == (
        "You have no access to these reports. The sign-in x@y is not on the list of people who may see them. "
        "To get access, contact Olga."
    )
    ru = denied_text("", None, "ru")
    assert ru.startswith("У вас нет доступа к этим отчётам.") and "попросите" in ru


# ----- the panel: options, counts, a crafted widget value, the export


def test_the_panel_keeps_a_viewer_inside_whatever_the_page_sends(leads, tmp_path):
    allowance = Filters(managers=(ANNA,))
    scope = Scope().updated(period="2025").allowed(allowance)
    workspace = lk.Workspace(leads, scope, DEFAULT, "en", Viewer("ava@example.com", allowance))
    everyone = compute("employee_performance", leads, Scope().updated(period="2025"))  # an unrestricted result
    panel = ReportPanel("employee_performance", workspace, everyone, "en", export_dir=tmp_path)
    expected = figures(compute("employee_performance", leads, scope.updated(managers=[ANNA])))
    assert figures(panel.result) == expected  # the result handed in was outside: recomputed
    assert [v for _, v in panel.managers.options] == [ANNA]
    panel.managers.set_counts(None)  # without counts every value the list holds shows: still only the allowed
    assert [v for _, v in panel.managers.options] == [ANNA]
    assert all(n for n in panel._results[panel.result.meta.scope][1]["managers"].values())
    assert set(panel._results[panel.result.meta.scope][1]["managers"]) == {ANNA}
    assert "Your view — Managers: Ava Foster (signed in as ava@example.com)." in panel.viewer.value
    panel.managers._values = [ANNA, EMMA]  # as if a crafted page slipped another manager past the widget
    panel.managers.value = (EMMA,)
    assert panel.result.meta.scope.filters.managers == (ANNA,)
    assert figures(panel.result) == expected
    path = panel.export_excel()
    assert path is not None and path.parent == tmp_path / Viewer("AVA@example.com", allowance).slug
    names = {c.value for row in openpyxl.load_workbook(path).worksheets[0].iter_rows() for c in row}
    assert EMMA not in names and ANNA in names


# ----- serve


def test_serve_passes_the_header_to_voila_only_with_viewers(monkeypatch):
    monkeypatch.delenv("LEADKIT_SERVE_TOKEN", raising=False)
    assert not any("http_header_envs" in a for a in voila_command(Path("/site"), "127.0.0.1", 8866))
    command = voila_command(Path("/site"), "127.0.0.1", 8866, "X-Leadkit-User")
    assert "--VoilaConfiguration.http_header_envs=['X-Leadkit-User']" in command


def test_serve_with_viewers_refuses_to_listen_beyond_this_machine(tmp_path):
    with pytest.raises(SetupError, match="could forge"):
        serve(str(write_params(tmp_path)), host="0.0.0.0", site=tmp_path / "site")
    assert not (tmp_path / "site").exists()  # refused before anything was built


def test_serve_with_viewers_needs_the_token_the_proxy_sends(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADKIT_SERVE_TOKEN", raising=False)
    monkeypatch.setattr("leadkit.serve._run", lambda command, folder, env: pytest.fail("served without a token"))
    with pytest.raises(
        SetupError, match=r"any account on this machine could send to 127.0.0.1:8866.*LEADKIT_SERVE_TOKEN"
    ):
        serve(str(write_params(tmp_path)), site=tmp_path / "site")
    assert not (tmp_path / "site").exists()  # refused before anything was built


def test_serve_gives_no_kernel_a_viewer_from_its_own_environment(tmp_path, monkeypatch):
    started = {}
    monkeypatch.setenv("LEADKIT_SERVE_TOKEN", "proxy-secret")
    monkeypatch.setenv(ENV, "boss@example.com")  # e.g. left over in the shell that starts the server
    monkeypatch.setattr(
        "leadkit.serve._run", lambda command, folder, env: started.update(command=command, env=env) or 0
    )
    assert serve(str(write_params(tmp_path)), site=tmp_path / "site") == 0
    assert ENV not in started["env"]
    assert "--VoilaConfiguration.http_header_envs=['X-Leadkit-User']" in started["command"]
    assert "--token" in started["command"]


def test_the_json_of_a_viewer_scope_names_the_allowance():
    shown = Scope().allowed(Filters(managers=(ANNA,))).as_dict()
    assert shown["allowance"]["managers"] == [ANNA] and shown["filters"]["managers"] == [ANNA]
    assert "allowance" not in Scope().as_dict()
    json.dumps(shown)


@pytest.mark.parametrize(("lang", "fixer"), [("en", "whoever runs this dashboard needs to fix the period"),
                                             ("ru", "тому, кто ведёт эту панель, нужно исправить период")])  # fmt: skip
def test_a_failed_dashboard_says_what_to_fix_in_its_language_without_server_paths_or_markup(lang, fixer):
    from leadkit.render.access import failed_html

    shown = failed_html("/srv/leadkit/params/shop.yaml: period '<b>2025-13</b>' is not understood", "period", lang)
    assert fixer in shown and "shop.yaml: period" in shown and "/srv/" not in shown
    assert "<b>" not in shown and "&lt;b&gt;2025-13&lt;/b&gt;" in shown


def test_serve_tells_its_kernels_the_dashboard_language(tmp_path, monkeypatch):
    from leadkit.viewers import LANG_ENV

    started = {}
    monkeypatch.setattr("leadkit.serve._run", lambda command, folder, env: started.update(env=env) or 0)
    params = tmp_path / "ru.yaml"
    params.write_text(yaml.safe_dump({"source": {"kind": "demo", "rows": 100}, "lang": "ru"}), encoding="utf-8")
    assert serve(str(params), site=tmp_path / "site") == 0
    assert started["env"][LANG_ENV] == "ru"
