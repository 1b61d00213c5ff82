"""The deployment examples shipped in examples/: systemd units that systemd itself accepts, a CI workflow that is
valid YAML and only checks and builds (its commands run here on a real site), and pieces that agree with each other.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitekit import tip, write_project

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SYSTEMD = EXAMPLES / "systemd"
UNITS = sorted(p for p in SYSTEMD.iterdir() if p.suffix in (".service", ".timer"))
VENV_BIN = "/srv/frontline/.venv/bin/"


def unit(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def test_the_examples_are_all_there():
    names = {p.name for p in UNITS}
    assert names == {"tipsheet-list.service", "tipsheet-publish.service", "tipsheet-publish.timer",
                     "tipsheet-bounces.service", "tipsheet-bounces.timer"}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_every_unit(tmp_path):
    """systemd-analyze verify, with the example's paths pointed at this machine's tipsheet and git."""
    bin_dir = Path(sys.executable).parent
    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace(VENV_BIN, f"{bin_dir}/")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / p.name) for p in UNITS)],
                          capture_output=True, text=True)
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "tipsheet" in line]
    assert done.returncode == 0 and ours == [], done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
@pytest.mark.parametrize("timer", ["tipsheet-publish.timer", "tipsheet-bounces.timer"])
def test_the_timers_run_every_hour(timer):
    spec = unit(SYSTEMD / timer)["Timer"]["OnCalendar"]
    done = subprocess.run(["systemd-analyze", "calendar", "--iterations=3", spec], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    hours = [line.split()[-2] for line in done.stdout.splitlines() if "Iter." in line or "Next elapse" in line]
    assert len({h[3:] for h in hours}) == 1 and len(set(hours)) == 3  # the same minute of three hours in a row
    service = unit(SYSTEMD / timer)["Timer"]["Unit"]
    assert (SYSTEMD / service).is_file()


def test_the_units_run_the_right_commands_with_one_environment():
    commands = {p.name: shlex.split(unit(p)["Service"]["ExecStart"]) for p in UNITS if p.suffix == ".service"}
    assert commands["tipsheet-list.service"][0] == VENV_BIN + "gunicorn"
    assert commands["tipsheet-list.service"][-1] == "tipsheet.cli.wsgi:application"
    assert commands["tipsheet-publish.service"][:2] == [VENV_BIN + "tipsheet", "publish"]
    assert commands["tipsheet-bounces.service"][:3] == [VENV_BIN + "tipsheet", "bounces", "--imap"]
    env_file = {unit(p)["Service"]["EnvironmentFile"] for p in UNITS if p.suffix == ".service"}
    assert env_file == {"/etc/tipsheet/frontline.env"}
    assert {unit(p)["Service"]["User"] for p in UNITS if p.suffix == ".service"} == {"tipsheet"}  # one database owner
    variables = dict(line.split("=", 1) for line in (SYSTEMD / "tipsheet.env").read_text().splitlines()
                     if line and not line.startswith("#"))
    assert {"TIPSHEET_CONFIG", "TIPSHEET_DB", "TIPSHEET_SECRET", "TIPSHEET_SMTP_HOST", "TIPSHEET_SMTP_PASSWORD",
            "TIPSHEET_IMAP_PASSWORD"} <= set(variables)
    state = variables["TIPSHEET_DB"].rsplit("/", 1)[0]
    for path in UNITS:
        if path.suffix == ".service":
            assert state in unit(path)["Service"]["ReadWritePaths"].split(), path.name


def test_nginx_serves_what_publish_deploys_and_passes_the_list_service_on():
    conf = (EXAMPLES / "nginx" / "frontline.conf").read_text(encoding="utf-8")
    root = re.search(r"^\s*root (\S+);", conf, re.MULTILINE)
    assert root is not None and root[1] == "/srv/www/frontline"
    assert root[1].rsplit("/", 1)[0] in unit(SYSTEMD / "tipsheet-publish.service")["Service"]["ReadWritePaths"]
    bind = shlex.split(unit(SYSTEMD / "tipsheet-list.service")["Service"]["ExecStart"])
    assert f"proxy_pass http://{bind[bind.index('--bind') + 1]}/;" in conf  # /list/ on the service's root
    assert conf.count("{") == conf.count("}")


def workflow() -> dict[object, object]:
    data = yaml.safe_load((EXAMPLES / "ci" / "check-site.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_ci_workflow_only_checks_and_builds():
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare 'on' as true
    assert isinstance(triggers, dict) and set(triggers) == {"push", "pull_request"}
    assert data["permissions"] == {"contents": "read"}
    steps = data["jobs"]["check"]["steps"]  # type: ignore[index]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == ["pip install -r requirements.txt", "tipsheet check --strict", "mkdocs build --strict"]
    text = (EXAMPLES / "ci" / "check-site.yml").read_text(encoding="utf-8")
    assert "secrets." not in text and "publish" not in " ".join(runs) and "deploy" not in " ".join(runs)
    assert all(step["uses"].split("@")[1].startswith("v") for step in steps if "uses" in step)


def test_the_ci_workflows_commands_pass_on_a_real_site(tmp_path):
    write_project(tmp_path, {"tips/a.md": tip("A tip", date="2026-11-03", summary="Short.")})
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for command in workflow_commands()[1:]:  # the install step is what made this venv
        done = subprocess.run(shlex.split(command), cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    assert (tmp_path / "site" / "index.html").is_file()


def workflow_commands() -> list[str]:
    steps = workflow()["jobs"]["check"]["steps"]  # type: ignore[index]
    return [step["run"] for step in steps if "run" in step]
