"""PostgreSQL, Redis and nginx from the Debian packages (scripts/bootstrap installs them), started on loopback.

Each server runs from its own temporary directory on a port the OS picked. PostgreSQL's `initdb` and `postgres`
refuse to run as root: as root they run as the `postgres` user that Debian's postgresql package creates (through
`runuser`), in a directory under /tmp that user owns. Nothing here needs a system service or writes outside its
own directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ._net import LOOPBACK, free_port, wait_for

PG_USER = "postgres"  # the OS user the server runs as when the tests run as root


class EngineMissing(RuntimeError):
    """A server binary is not installed: run scripts/bootstrap (as root it installs the Debian packages)."""


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path:
        return path
    raise EngineMissing(f"{name} not found: install the Debian package postgresql (scripts/bootstrap)")


def _tool(name: str, package: str) -> str:
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    if not path:
        raise EngineMissing(f"{name} not found: install the Debian package {package} (scripts/bootstrap)")
    return path


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


class PostgresServer:
    """A PostgreSQL cluster made by initdb in a temporary directory, listening on 127.0.0.1:port only."""

    def __init__(self, *, fsync: bool = False):
        self.port = free_port()
        self.fsync = fsync
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="tcr-pg-"))  # under /tmp: the postgres user can reach it
        self.data = self.dir / "data"
        self.log_file = self.dir / "postgres.log"
        self.user = PG_USER if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        self.proc: subprocess.Popen | None = None

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", PG_USER, "--", *args] if self.as_root else list(args)

    def start(self) -> PostgresServer:
        if self.as_root:
            try:
                entry = pwd.getpwnam(PG_USER)
            except KeyError:
                raise EngineMissing(
                    "no 'postgres' user: install the Debian package postgresql (scripts/bootstrap)"
                ) from None
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            self._cmd(
                _pg_bin("initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8", "--no-locale"
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        options = [
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"port={self.port}",
            "-c", f"unix_socket_directories={self.dir}",
            "-c", "max_connections=200",
            "-c", "shared_buffers=32MB",
            "-c", f"fsync={'on' if self.fsync else 'off'}",
            "-c", "full_page_writes=off" if not self.fsync else "full_page_writes=on",
        ]  # fmt: skip
        log = open(self.log_file, "ab")  # held by the child
        self.proc = subprocess.Popen(
            self._cmd(_pg_bin("postgres"), "-D", str(self.data), *options),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(lambda: self._ready(), timeout=60, what="postgres to accept connections")
        except TimeoutError:
            self.stop()
            raise RuntimeError(
                f"postgres did not start:\n{self.log_file.read_text(errors='replace')[-2000:]}"
            ) from None
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"postgres exited:\n{self.log_file.read_text(errors='replace')[-2000:]}")
        return (
            subprocess.run(
                [_pg_bin("pg_isready"), "-h", LOOPBACK, "-p", str(self.port), "-U", self.user, "-d", "postgres"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ).returncode
            == 0
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{LOOPBACK}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # "fast" shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """redis-server on 127.0.0.1:port, no persistence, in a temporary directory."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tcr-redis-"))
        self.log_file = self.dir / "redis.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> RedisServer:
        args = [
            _tool("redis-server", "redis-server"),
            "--bind", LOOPBACK,
            "--port", str(self.port),
            "--dir", str(self.dir),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.log_file),
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(lambda: self.proc.poll() is None and _port_open(self.port), timeout=20, what="redis-server")
        except TimeoutError:
            self.stop()
            raise RuntimeError("redis-server did not start") from None
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)

    def pause(self) -> None:
        """Make Redis unreachable (SIGSTOP: connections hang, as on a network partition)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)


class Nginx:
    """nginx with its own prefix directory: `site` (upstream + server blocks, as in deploy/nginx/) inside an http {}
    block whose logs and temporary files stay in that directory. Master + one worker process."""

    LOG_FORMAT = '$remote_addr "$request" $status upstream=$upstream_addr'

    def __init__(self, site: str, *, port: int | None = None):
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tcr-nginx-"))
        for sub in ("logs", "tmp"):
            (self.dir / sub).mkdir()
        # as root nginx's worker runs as nobody: it must reach its temporary directory
        os.chmod(self.dir, 0o755)
        os.chmod(self.dir / "tmp", 0o777)
        (self.dir / "site.conf").write_text(site)
        self.conf = self.dir / "nginx.conf"
        d = self.dir
        self.conf.write_text(
            f"""worker_processes 1;
pid {d}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    log_format upstreams '{self.LOG_FORMAT}';
    access_log {d}/logs/access.log upstreams;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {d}/site.conf;
}}
"""
        )
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _args(self, *extra: str) -> list[str]:
        return [
            _tool("nginx", "nginx-light"),
            "-p",
            str(self.dir),
            "-c",
            str(self.conf),
            "-e",
            str(self.dir / "logs/error.log"),
            *extra,
        ]

    def test_config(self) -> None:
        """`nginx -t`: raises with nginx's message when the configuration is invalid."""
        done = subprocess.run(self._args("-t"), capture_output=True, text=True, timeout=30)
        if done.returncode:
            raise RuntimeError(done.stderr)

    def start(self) -> Nginx:
        self.test_config()
        self.proc = subprocess.Popen(
            self._args("-g", "daemon off;"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            wait_for(lambda: self.proc.poll() is None and _port_open(self.port), timeout=20, what="nginx")
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"nginx did not start:\n{self.error_log()}") from None
        return self

    def error_log(self) -> str:
        path = self.dir / "logs/error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self) -> str:
        path = self.dir / "logs/access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_port_closed(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _port_open(port):
        time.sleep(0.05)
