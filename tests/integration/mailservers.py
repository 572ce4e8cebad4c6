"""Real mail servers for the email tests, on 127.0.0.1 in the port range 8600-8699 (each
xdist worker in a slice of its own, see free_port):

- `Relay`: an aiosmtpd SMTP server (STARTTLS with a self-signed certificate made here, AUTH
  PLAIN/LOGIN) that keeps every mail it accepts, as the outgoing relay;
- `Dovecot`: a private dovecot process (Debian's dovecot-imapd) with a generated config, one
  test user and Maildir storage under a temporary folder; the test owns its whole lifecycle
  (start, restart mid-poll, stop). Tests skip with the reason when dovecot is missing,
  unless TIERDESK_REQUIRE_DOVECOT=1 (CI), where they fail.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

PORTS = range(8600, 8700)
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


# Where this process looks next (each call moves past the port it hands out); processes
# start at different places of their slice.
_offset = os.getpid() * 7


def _ports() -> range:
    """This process's slice of PORTS: xdist workers (PYTEST_XDIST_WORKER=gw<i> of
    PYTEST_XDIST_WORKER_COUNT) never pick the same port; a serial run has them all."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    if not name.startswith("gw") or count < 2:
        return PORTS
    size = max(len(PORTS) // count, 1)
    start = PORTS.start + int(name[2:]) % (len(PORTS) // size) * size
    return range(start, start + size)


def free_port() -> int:
    """A port of this process's slice of 8600-8699 (see _ports) nobody listens on right now,
    and not the one the last call returned (a server may bind it only later). The slice keeps
    the ports out of the kernel's ephemeral range: a server restarted on its port finds it
    free, and no outgoing connection takes it meanwhile."""
    global _offset
    ports = _ports()
    for i in range(len(ports)):
        port = ports[(_offset + i) % len(ports)]
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _offset += i + 1
        return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for CN=127.0.0.1, made with openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


class _Keep:
    def __init__(self) -> None:
        self.mails: list[tuple[Envelope, EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        data = envelope.content if isinstance(envelope.content, bytes) else b""
        mail = message_from_bytes(data, _class=EmailMessage, policy=policy.default)
        self.mails.append((envelope, mail))
        return "250 Message accepted"


class Relay:
    """An SMTP relay on 127.0.0.1 with STARTTLS required and AUTH (user/password)."""

    def __init__(
        self,
        certificate: tuple[Path, Path],
        user: str = "desk",
        password: str = "relay-secret",  # noqa: S107
    ) -> None:
        self.cert, self.key = certificate
        self.user, self.password = user, password
        self.port = free_port()
        self.handler = _Keep()
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(self.cert, self.key)
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=server_tls,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=self._auth,
        )

    def _auth(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode() == self.user and data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False)

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    @property
    def mails(self) -> list[tuple[Envelope, EmailMessage]]:
        return self.handler.mails

    def __enter__(self) -> Relay:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


# --- Dovecot ---------------------------------------------------------------------------------


def require_dovecot() -> None:
    """Skip without dovecot (fail instead under TIERDESK_REQUIRE_DOVECOT=1)."""
    if Path(DOVECOT).exists():
        return
    message = f"dovecot is not installed ({DOVECOT} missing; apt-get install dovecot-imapd)"
    if os.environ.get("TIERDESK_REQUIRE_DOVECOT") == "1":
        pytest.fail(f"{message}, but TIERDESK_REQUIRE_DOVECOT=1 requires it")
    pytest.skip(message)


class Dovecot:
    """A private dovecot on 127.0.0.1:`port` (plain IMAP, PLAIN auth allowed without TLS on
    loopback), user `user` / `password`, Maildir under `folder`."""

    def __init__(self, user: str = "desk", password: str = "imap-secret") -> None:  # noqa: S107
        require_dovecot()
        # Its own folder under /tmp (not pytest's, whose parents are private to the user:
        # dovecot's unprivileged processes must reach their sockets and the user file).
        self.folder = Path(tempfile.mkdtemp(prefix="tierdesk-dovecot-"))
        self.user, self.password = user, password
        self.port = free_port()
        self.config = self.folder / "dovecot.conf"
        self._started = False
        self._write_config()

    def _write_config(self) -> None:
        base = self.folder
        for sub in ("run", "mail", "log"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        me = os.getuid()
        # Dovecot refuses to run its login and internal processes as root: as root, use the
        # accounts Debian's package creates; otherwise everything runs as the current user.
        if me == 0:
            account, login = "dovecot", "dovenull"
            uid, gid = pwd.getpwnam(account).pw_uid, pwd.getpwnam(account).pw_gid
            base.chmod(0o755)  # let the unprivileged processes reach their sockets
            os.chown(base / "mail", uid, gid)  # the mail processes run as `account`
        else:
            account = login = pwd.getpwuid(me).pw_name
            uid, gid = me, os.getgid()
        group = grp.getgrgid(gid).gr_name
        (base / "users").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{uid}:{gid}::{base / 'mail'}\n",
            encoding="utf-8",
        )
        self.config.write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base / "run"}
state_dir = {base / "run" / "state"}
instance_name = tierdesk-test-{self.port}
log_path = {base / "log" / "dovecot.log"}
info_log_path = {base / "log" / "dovecot.log"}
ssl = no
shutdown_clients = yes
mailbox_idle_check_interval = 1 secs
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {account}
default_internal_group = {group}
default_login_user = {login}
mail_location = maildir:{base / "mail"}/Maildir
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base / "users"}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {base / "users"}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
""",
            encoding="utf-8",
        )

    def _run(self, *args: str) -> None:
        # dovecot forks into the background: no pipes, or run() would wait on the daemon.
        subprocess.run(
            [DOVECOT, "-c", str(self.config), *args],
            check=not args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )

    def start(self) -> None:
        """Start dovecot on `port`. Only the first start may move to another port (when
        something took this one since free_port chose it): a restart keeps its port."""
        for attempt in range(3):
            try:
                self._run()
                break
            except subprocess.CalledProcessError:
                if self._started or attempt == 2 or "in use" not in self.log():
                    raise RuntimeError(f"dovecot did not start; log: {self.log()}") from None
                self.port = free_port()
                self._write_config()
        self._started = True
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start; log: {self.log()}")

    def _sessions(self) -> list[int]:
        """Pids of this instance's processes (their titles start with the instance name)."""
        prefix = f"dovecot-tierdesk-test-{self.port}/".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if (entry / "cmdline").read_bytes().startswith(prefix):
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    def stop(self) -> None:
        """Stop the server and end its client sessions (as a host going down would: the
        master leaves running IMAP sessions alone)."""
        self._run("stop")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                time.sleep(0.05)
            except OSError:
                break
        for pid in self._sessions():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.folder / "log" / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
