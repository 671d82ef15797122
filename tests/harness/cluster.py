"""Several app instances (the Procfile's gunicorn) behind nginx configured by deploy/nginx/tcr-doctor.conf, all on
loopback: the "several hosts" of the scale-out tests and benchmark.

    with Cluster(env={"TCR_DOCTOR_DATABASE_URL": ..., "TCR_DOCTOR_REDIS_URL": ...}, instances=2) as cluster:
        cluster.url             # nginx
        cluster.instances[0].url  # one instance directly
        cluster.kill(0)         # SIGKILL the instance's master and workers (a host dies)
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ._net import LOOPBACK, free_port
from .engines import Nginx

ROOT = Path(__file__).resolve().parents[2]
NGINX_SITE = ROOT / "deploy" / "nginx" / "tcr-doctor.conf"


def procfile_web_argv(port: int, env: dict[str, str]) -> list[str]:
    """The Procfile's `web:` command as argv, ${VAR:-default} expanded from `env`, bound to 127.0.0.1:port."""
    line = next(ln for ln in (ROOT / "Procfile").read_text().splitlines() if ln.startswith("web:"))[4:].strip()

    def expand(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        return str(port) if name == "PORT" else env.get(name, default)

    argv = shlex.split(re.sub(r"\$\{(\w+):-([^}]*)\}", expand, line).replace("0.0.0.0:", f"{LOOPBACK}:"))
    assert argv[0] == "gunicorn" and f"{LOOPBACK}:{port}" in argv, argv
    return [str(Path(sys.executable).parent / "gunicorn"), *argv[1:]]


def nginx_site(upstreams: list[int], port: int) -> str:
    """deploy/nginx/tcr-doctor.conf as shipped, with only the upstream servers and the listen port made loopback."""
    text = NGINX_SITE.read_text()
    servers = re.findall(r"^\s*server \d+\.\d+\.\d+\.\d+:\d+ [^\n]*;$", text, re.M)
    assert servers, "no upstream server lines in the shipped nginx configuration"
    options = servers[0].split(":", 1)[1].split(" ", 1)[1]
    lines = "\n".join(f"    server {LOOPBACK}:{p} {options}" for p in upstreams)
    text = text.replace("\n".join(servers), lines)
    text, n = re.subn(r"^    listen 80;$", f"    listen {LOOPBACK}:{port};", text, flags=re.M)
    assert n == 1
    return text


class Instance:
    """One app instance: gunicorn (master + workers) on its own port, its own metrics directory and log."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.workdir = workdir
        self.log_file = workdir / f"instance-{self.port}.log"
        metrics_dir = workdir / f"metrics-{self.port}"
        self.env = dict(env, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
        self.proc: subprocess.Popen | None = None

    def start(self) -> Instance:
        log = open(self.log_file, "ab")  # held by the child
        self.proc = subprocess.Popen(
            procfile_web_argv(self.port, self.env),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"instance exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"instance not healthy in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")[-4000:] if self.log_file.exists() else ""

    def kill(self) -> None:
        """SIGKILL the master and every worker (the whole host goes away, nothing is flushed)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


class Cluster:
    """`instances` app instances with the same environment behind one nginx."""

    def __init__(self, env: dict[str, str], instances: int = 2):
        self.workdir = Path(tempfile.mkdtemp(prefix="tcr-cluster-"))
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TCR_DOCTOR_", "SLACK_"))}
        base.update({"TCR_DOCTOR_SLACK": "off", "TCR_DOCTOR_TRUSTED_PROXIES": "1"})
        base.update({"TCR_DOCTOR_TRUSTED_PROXY_ADDRESSES": LOOPBACK, "WEB_CONCURRENCY": "1", "WEB_THREADS": "8"})
        base.update(env)
        self.env = base
        self.instances = [Instance(self.env, self.workdir) for _ in range(instances)]
        self.nginx: Nginx | None = None

    @property
    def url(self) -> str:
        assert self.nginx is not None
        return self.nginx.url

    def start(self) -> Cluster:
        for instance in self.instances:
            instance.start()
        for instance in self.instances:
            instance.wait_healthy()
        port = free_port()
        self.nginx = Nginx(nginx_site([i.port for i in self.instances], port), port=port).start()
        return self

    def kill(self, index: int) -> None:
        self.instances[index].kill()

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for instance in self.instances:
            instance.stop()

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
