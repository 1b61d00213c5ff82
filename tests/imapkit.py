"""A real IMAP server for tests: Dovecot (Debian's dovecot-imapd) started on 127.0.0.1 with its own config.

``scripts/test.sh`` installs dovecot-imapd when it runs as root.  The server runs from a folder of the
test's own (config, state, logs, one user's Maildir) and is stopped afterwards.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from smtpkit import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "bounces", "imap-pass-0123456789"
CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Imap:
    port: int
    maildir: Path  # the user's Maildir: INBOX is its root, a folder 'x' is '.x'
    owner: tuple[int, int]

    def env(self) -> dict[str, str]:
        return {"TIPSHEET_IMAP_HOST": "127.0.0.1", "TIPSHEET_IMAP_PORT": str(self.port),
                "TIPSHEET_IMAP_SECURITY": "none", "TIPSHEET_IMAP_USER": USER, "TIPSHEET_IMAP_PASSWORD": PASSWORD}

    def give(self, path: Path) -> None:
        for current, dirs, files in os.walk(path):
            for name in [*dirs, *files, ""]:
                os.chown(os.path.join(current, name), *self.owner)


def _owner() -> tuple[int, int]:
    """Dovecot refuses mail access as root: as root, the mail belongs to Dovecot's own user."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    entry = pwd.getpwnam("dovecot")
    return entry.pw_uid, entry.pw_gid


@pytest.fixture
def imap_server() -> Iterator[Imap]:
    if not os.path.exists(DOVECOT):
        pytest.fail(f"{DOVECOT} is missing: the IMAP tests need Debian's dovecot-imapd (scripts/test.sh installs it "
                    "when run as root)", pytrace=False)
    # Dovecot's own processes run as its user: its folder must be one they can enter (pytest's are 0700)
    root = Path(tempfile.mkdtemp(prefix="tipsheet-imap-"))
    root.chmod(0o755)
    for name in ("run", "state", "mail"):
        (root / name).mkdir(parents=True)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    uid, gid = _owner()
    config = root / "dovecot.conf"
    maildir = root / "mail" / USER
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for attempt in range(5):  # another port if this one was taken between choosing and binding it
        port = free_port()
        config.write_text(CONFIG.format(root=root, uid=uid, gid=gid, port=port))
        server = Imap(port, maildir, (uid, gid))
        server.give(root / "mail")
        with open(root / "start.log", "w") as log:  # the daemon keeps what it inherits: a file, not a pipe
            done = subprocess.run([DOVECOT, "-c", str(config)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        if done.returncode == 0:
            break
        assert attempt < 4, (root / "start.log").read_text()
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError((root / "dovecot.log").read_text()) from None
                time.sleep(0.05)
        yield server
    finally:
        subprocess.run([DOVECOT, "-c", str(config), "stop"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)
