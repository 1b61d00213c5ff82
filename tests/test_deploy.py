"""Deploy targets on real folders and a real git repository: an atomic switch, nothing twice, nothing half-done."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tipsheet.publish.deploy import (
    DeployError,
    Ledger,
    deploy_command,
    deploy_directory,
    deploy_gh_pages,
    fingerprint,
)


def write_site(folder: Path, pages: dict[str, str]) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    for rel, text in pages.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_the_fingerprint_is_the_files_not_when_they_were_written(tmp_path):
    one = write_site(tmp_path / "one", {"index.html": "home", "tips/a/index.html": "a"})
    two = write_site(tmp_path / "two", {"tips/a/index.html": "a", "index.html": "home"})
    os.utime(two / "index.html", (0, 0))
    assert fingerprint(str(one)) == fingerprint(str(two))
    (two / "index.html").write_text("home!", encoding="utf-8")
    assert fingerprint(str(one)) != fingerprint(str(two))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DeployError, match="expected a built site, got an empty folder"):
        fingerprint(str(tmp_path / "empty"))


def test_a_directory_deploy_switches_a_link_and_shares_unchanged_files(tmp_path):
    site = write_site(tmp_path / "site", {"index.html": "v1", "assets/app.css": "css" * 1000})
    live = tmp_path / "www"
    first = deploy_directory(str(site), str(live), fingerprint(str(site)))
    assert first.changed and (live / "index.html").read_text() == "v1"
    old_release = os.path.realpath(live)
    again = deploy_directory(str(site), str(live), fingerprint(str(site)))
    assert not again.changed and "already serves this site" in again.detail
    write_site(site, {"index.html": "v2", "assets/app.css": "css" * 1000})
    second = deploy_directory(str(site), str(live), fingerprint(str(site)))
    assert second.changed and (live / "index.html").read_text() == "v2"
    assert os.path.realpath(live) != old_release and (Path(old_release) / "index.html").read_text() == "v1"
    # the unchanged stylesheet is one file on disk for both releases (as rsync --link-dest does)
    assert os.stat(live / "assets/app.css").st_ino == os.stat(Path(old_release) / "assets/app.css").st_ino
    assert os.readlink(live) == f"www.releases/{fingerprint(str(site))[:16]}"


def test_old_releases_are_pruned_but_never_the_live_one(tmp_path):
    site, live = tmp_path / "site", tmp_path / "www"
    for n in range(5):
        write_site(site, {"index.html": f"v{n}"})
        result = deploy_directory(str(site), str(live), fingerprint(str(site)), keep=2)
    assert "1 old release removed" in result.detail
    releases = sorted(p.name for p in (tmp_path / "www.releases").iterdir())
    assert len(releases) == 2 and os.path.basename(os.readlink(live)) in releases
    assert (live / "index.html").read_text() == "v4"


def test_a_folder_where_the_link_goes_is_refused_and_left_alone(tmp_path):
    site = write_site(tmp_path / "site", {"index.html": "new"})
    live = write_site(tmp_path / "www", {"index.html": "hand-made"})
    with pytest.raises(DeployError) as caught:
        deploy_directory(str(site), str(live), fingerprint(str(site)))
    assert str(caught.value) == ("deploy: path: expected a symbolic link that tipsheet switches (or nothing yet), "
                                 f"got a folder at {live} (move it away once, e.g. mv {live} {live}.old; the next "
                                 "publish makes the link)")
    assert (live / "index.html").read_text() == "hand-made"


def test_a_deploy_that_cannot_write_keeps_the_live_site(tmp_path):
    site = write_site(tmp_path / "site", {"index.html": "v1"})
    live = tmp_path / "www"
    deploy_directory(str(site), str(live), fingerprint(str(site)))
    write_site(site, {"index.html": "v2"})
    print_ = fingerprint(str(site))
    # a file where the new release must go: the copy cannot be put in place (whoever runs the test, root too)
    (tmp_path / "www.releases" / print_[:16]).write_text("in the way\n")
    with pytest.raises(DeployError, match="the site that was live stays live"):
        deploy_directory(str(site), str(live), print_)
    assert (live / "index.html").read_text() == "v1"


def test_a_deploy_that_cannot_write_keeps_the_live_site_even_as_root(tmp_path):
    """A release path taken by a file (as good as unwritable, for root too): the link is not touched."""
    site = write_site(tmp_path / "site", {"index.html": "v1"})
    live = tmp_path / "www"
    deploy_directory(str(site), str(live), fingerprint(str(site)))
    write_site(site, {"index.html": "v2"})
    blocker = tmp_path / "www.releases" / fingerprint(str(site))[:16]
    blocker.write_text("in the way", encoding="utf-8")
    with pytest.raises(DeployError, match="the site that was live stays live"):
        deploy_directory(str(site), str(live), fingerprint(str(site)))
    assert (live / "index.html").read_text() == "v1"


def test_a_command_runs_once_per_site_with_the_site_folder_in_its_environment(tmp_path):
    site = write_site(tmp_path / "site", {"index.html": "v1"})
    log = tmp_path / "deployed.log"
    command = ["sh", "-c", f'echo "$TIPSHEET_SITE_DIR" >> {log}']
    ledger = Ledger(str(site))
    assert deploy_command(str(site), command, str(tmp_path), fingerprint(str(site)), ledger).changed
    assert not deploy_command(str(site), command, str(tmp_path), fingerprint(str(site)), ledger).changed
    assert deploy_command(str(site), command, str(tmp_path), fingerprint(str(site)), ledger, force=True).changed
    assert log.read_text().splitlines() == [str(site), str(site)]
    assert Path(ledger.path) == tmp_path / "site.tipsheet-deployed"
    with pytest.raises(DeployError, match=r"'no-such-deployer': expected a program to run, got 'no-such-deployer'"):
        deploy_command(str(site), ["no-such-deployer"], str(tmp_path), "other", ledger)
    with pytest.raises(DeployError, match=r"expected it to finish within 0.2 s, got no end"):
        deploy_command(str(site), ["sleep", "5"], str(tmp_path), "other", ledger, timeout=0.2)


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gh_pages_pushes_the_site_once_with_ghp_import(tmp_path, monkeypatch):
    for name, value in (("GIT_AUTHOR_NAME", "T"), ("GIT_AUTHOR_EMAIL", "t@example.org"),
                        ("GIT_COMMITTER_NAME", "T"), ("GIT_COMMITTER_EMAIL", "t@example.org")):
        monkeypatch.setenv(name, value)
    remote = tmp_path / "remote.git"
    git("init", "--bare", "--quiet", str(remote), cwd=tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    git("init", "--quiet", cwd=project)
    git("remote", "add", "origin", str(remote), cwd=project)
    site = write_site(project / "site", {"index.html": "v1", "tips/a/index.html": "a"})
    ledger = Ledger(str(site))
    first = deploy_gh_pages(str(site), str(project), "origin", "gh-pages", fingerprint(str(site)), ledger)
    assert first.changed and first.detail == "pushed to origin/gh-pages"
    assert sorted(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()) == [
        ".nojekyll", "index.html", "tips/a/index.html"]
    assert not deploy_gh_pages(str(site), str(project), "origin", "gh-pages", fingerprint(str(site)), ledger).changed
    assert git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "1"
    write_site(site, {"index.html": "v2"})
    assert deploy_gh_pages(str(site), str(project), "origin", "gh-pages", fingerprint(str(site)), ledger).changed
    assert git("show", "gh-pages:index.html", cwd=remote) == "v2"
    with pytest.raises(DeployError, match=r"ghp-import to nowhere/gh-pages: expected exit status 0, got 1"):
        deploy_gh_pages(str(site), str(project), "nowhere", "gh-pages", "other", ledger)
