"""`leadkit serve`: the site it builds and Voilà's hardened command line (the live dashboards: test_serve_browser)."""

from __future__ import annotations

import json
from pathlib import Path

from leadkit.serve import build_site, voila_command

ROOT = Path(__file__).resolve().parents[1]


def test_the_site_names_the_params_file_keeps_the_code_and_drops_the_analysts_notes(tmp_path):
    params = tmp_path / "my params.yaml"
    site = build_site(params, tmp_path / "site")
    for name in ("lead_conversion", "lost_leads", "employee_performance"):
        book = json.loads((site / f"{name}.ipynb").read_text(encoding="utf-8"))
        original = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert {c["cell_type"] for c in book["cells"]} == {"code"}  # English notes on hidden cells: not for the page
        code = ["".join(c["source"]) for c in book["cells"]]
        assert f"params_file = {str(params)!r}\n" in code[0]
        assert code[1:] == ["".join(c["source"]) for c in original["cells"] if c["cell_type"] == "code"][1:]


def test_voila_is_hardened_and_local_unless_told(monkeypatch):
    monkeypatch.delenv("LEADKIT_SERVE_TOKEN", raising=False)
    local = voila_command(Path("/site"), "127.0.0.1", 8866)
    assert "--Voila.ip=127.0.0.1" in local and "--VoilaConfiguration.strip_sources=True" in local
    assert "--VoilaConfiguration.show_tracebacks=False" in local
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in local)
    assert not any("token" in a for a in local)
    assert "--token" in voila_command(Path("/site"), "0.0.0.0", 8866)  # elsewhere: a token is required


def test_the_token_reaches_the_server_in_a_private_file_not_the_command_line(monkeypatch):
    import os
    import stat

    from leadkit.serve import _token_file

    sentinel = "tok-SENTINEL-4711"
    monkeypatch.setenv("LEADKIT_SERVE_TOKEN", sentinel)
    assert not any(sentinel in a for a in voila_command(Path("/site"), "0.0.0.0", 8866))
    assert "--token" in voila_command(Path("/site"), "127.0.0.1", 8866)  # a token set is used locally too
    env = dict(os.environ)
    with _token_file(env):
        name = env["JUPYTER_TOKEN_FILE"]
        assert Path(name).read_text(encoding="utf-8") == sentinel  # jupyter_server reads it whole
        assert stat.S_IMODE(Path(name).stat().st_mode) == 0o600
        assert not any(sentinel in v for k, v in env.items() if k != "LEADKIT_SERVE_TOKEN")
        assert "LEADKIT_SERVE_TOKEN" not in env  # the kernels inherit env: no token there
    assert not Path(name).exists()
