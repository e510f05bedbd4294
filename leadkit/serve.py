"""`leadkit serve`: the three report notebooks as a live dashboard for people who do not use Jupyter (Voilà).

The notebooks' code cells are copied into a site folder with the params file filled in, and Voilà
serves that folder: ``/voila/render/index.ipynb`` links ``/voila/render/<report>.ipynb``; code
cells are stripped and tracebacks hidden (Voilà's defaults, set explicitly here); the
page cannot execute code in the kernel (Voilà refuses execute requests); idle kernels
are culled. Bound to 127.0.0.1 unless told otherwise; bound elsewhere, a token is
required — $LEADKIT_SERVE_TOKEN (passed in a private file, never on the command line, where
`ps` would show it), else one Voilà generates and prints.

With dashboard viewers in the params, Voilà hands the proxy's user header to each page's
kernel (``http_header_envs``), which shows that viewer's leads only (``leadkit.viewers``);
such a dashboard stays on this machine and requires the token, which the proxy sends with
every request: anyone reaching Voilà directly — another account on this machine too —
could forge the header, but not the token.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from leadkit.exceptions import SetupError
from leadkit.model import REPORTS
from leadkit.params import load_params
from leadkit.viewers import LANG_ENV, header_env

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
IDLE_KERNEL_SECONDS = 900


def build_site(params_file: Path, folder: Path) -> Path:
    """Copies of the report notebooks whose parameters cell names ``params_file`` (absolute).

    Only their code cells: the Markdown cells are notes for analysts in JupyterLab, in English, about the
    parameters and the code the dashboard hides; the report itself carries its title and words in its language.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in REPORTS:
        source = NOTEBOOKS / f"{name}.ipynb"
        if not source.is_file():
            raise SetupError(f"the notebook {source} is missing; restore it from the repository")
        book = json.loads(source.read_text(encoding="utf-8"))
        book["cells"] = [cell for cell in book["cells"] if cell["cell_type"] == "code"]
        for cell in book["cells"]:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                lines = "".join(cell["source"]).splitlines(keepends=True)
                cell["source"] = [
                    f"params_file = {str(params_file)!r}\n" if line.startswith("params_file =") else line
                    for line in lines
                ]
        (folder / source.name).write_text(json.dumps(book, indent=1, ensure_ascii=False), encoding="utf-8")
    return folder


def landing_page(folder: Path, lang: str) -> Path:
    """index.ipynb: one Markdown cell linking the three dashboards (no code: nothing to run)."""
    from leadkit.render import labels as L

    links = "\n".join(f"- [{L.title(name, lang)}]({name}.ipynb)" for name in REPORTS)
    cell = {"cell_type": "markdown", "metadata": {}, "source": [f"# {L.word('index', lang)}\n\n", links]}
    book = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
            "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    path = folder / "index.ipynb"
    path.write_text(json.dumps(book, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def voila_command(site: Path, host: str, port: int, user_header: str | None = None) -> list[str]:
    """The Voilà command line: hardened settings first, then where to listen; ``user_header`` for viewers."""
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
    command = [
        voila, str(site), "--no-browser", f"--Voila.ip={host}", f"--Voila.port={port}",
        "--VoilaConfiguration.strip_sources=True", "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}", "--MappingKernelManager.cull_interval=60",
    ]  # fmt: skip
    if user_header:  # the kernel reads the viewer from this header only (the page gets it as HTTP_...)
        command.append(f"--VoilaConfiguration.http_header_envs={[user_header]!r}")
    if host not in LOCAL_HOSTS or os.environ.get("LEADKIT_SERVE_TOKEN"):
        command.append("--token")  # $LEADKIT_SERVE_TOKEN when set (in a private file, see serve), else generated
    return command


@contextlib.contextmanager
def _token_file(env: dict[str, str]) -> Iterator[None]:
    """$LEADKIT_SERVE_TOKEN handed to the server in a file only its owner reads, never on a command line."""
    token = env.pop("LEADKIT_SERVE_TOKEN", "")
    if not token:
        yield
        return
    handle, name = tempfile.mkstemp(prefix="leadkit-token-")  # created 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(token)
        env["JUPYTER_TOKEN_FILE"] = name
        yield
    finally:
        os.unlink(name)


def serve(params_file: str, host: str = "127.0.0.1", port: int = 8866, site: Path | None = None) -> int:
    """Check the params, build the site, run Voilà until interrupted; its exit code."""
    path = Path(params_file).resolve()
    params = load_params(path)  # a bad params file is one clear error now, not a broken page later
    viewers = params.dashboard.viewers
    if viewers is not None and host not in LOCAL_HOSTS:
        raise SetupError(
            f"{path}: dashboard.viewers names each viewer by the {viewers.header} header, which anyone reaching "
            f"{host}:{port} directly could forge; serve on 127.0.0.1 (drop --host) behind a reverse proxy that "
            "signs people in and sets that header itself (see the README, Interactive reports)"
        )
    if viewers is not None and not os.environ.get("LEADKIT_SERVE_TOKEN"):
        raise SetupError(
            f"{path}: dashboard.viewers trusts the {viewers.header} header, which any account on this machine "
            f"could send to {host}:{port} directly; set LEADKIT_SERVE_TOKEN to a long random secret in leadkit "
            "serve's environment and have the proxy send it with every request (Authorization: token <secret>; "
            "see the README, Interactive reports)"
        )
    folder = build_site(path, (site or params.resolve(params.output.dir) / "dashboard" / path.stem).resolve())
    landing_page(folder, params.lang)
    try:
        import voila  # noqa: F401
    except ImportError:
        raise SetupError("Voilà is not installed: pip install -e '.[lab]' (it brings voila>=0.5)") from None
    print(f"leadkit: dashboards at http://{host}:{port}/voila/render/index.ipynb (Ctrl-C stops)", file=sys.stderr)
    env = dict(os.environ)  # the kernels inherit it without the token
    env[LANG_ENV] = params.lang  # a page whose params file breaks later still explains itself in this language
    header = viewers.header if viewers is not None else None
    if header:  # a viewer inherited by every kernel would let a page without the header in as them
        env.pop(header_env(header), None)
    with _token_file(env):
        return _run(voila_command(folder, host, port, header), folder, env)


def _run(command: list[str], folder: Path, env: dict[str, str]) -> int:
    """Voilà in the foreground. Stopping leadkit (SIGTERM, or Ctrl-C) stops Voilà with SIGTERM, which shuts its
    kernels down; left alone (subprocess.call's SIGKILL, or nothing on SIGTERM) Voilà and its kernels outlived us."""
    process = subprocess.Popen(command, cwd=folder, env=env)
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
