"""Run Debian's `docker-registry` (CNCF distribution 2.8) on loopback with filesystem storage in a tmp dir.

Variants: token auth (auth.token -> our TokenServer), no auth, plain HTTP or HTTPS (cert from tls.py's CA).
Logs go to <workdir>/registry.log; on a failed start they are printed in the raised error.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import pathlib
import secrets
import shutil
import signal
import subprocess

import requests

from ._net import LOOPBACK, assert_loopback, free_port, wait_for

REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
START_TIMEOUT = 15.0


class RegistryStartError(RuntimeError):
    pass


def bcrypt_hash(password: str) -> str:
    """bcrypt for htpasswd (the only format distribution accepts), via the stdlib `crypt` (Python <= 3.12)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))


def _die_with_parent():  # runs in the child before exec: SIGTERM the registry if pytest dies (Linux)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


class Registry:
    """One `docker-registry serve` process.

    Attributes after start(): port, host ("127.0.0.1:PORT"), url ("http[s]://127.0.0.1:PORT"), scheme,
    auth ("token" | "htpasswd" | None), htpasswd ({user: password}), token_server, ca_file (HTTPS only), storage_dir, log_file, config_file.
    `seed` is set by the fixtures to a harness.seed.SeedInfo describing the content.
    """

    def __init__(
        self,
        workdir,
        *,
        storage_dir=None,
        token_server=None,
        tls_cert=None,
        ca_file=None,
        htpasswd: dict[str, str] | None = None,
        host: str = LOOPBACK,
        name: str = "registry",
    ):
        assert_loopback(host)
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.storage_dir = pathlib.Path(storage_dir) if storage_dir else self.workdir / "storage"
        self.storage_dir.mkdir(parents=True, exist_ok=True)
        self.token_server = token_server
        if token_server is not None and htpasswd:
            raise ValueError("token auth or htpasswd auth, not both")
        self.auth = "token" if token_server is not None else ("htpasswd" if htpasswd else None)
        self.htpasswd = dict(htpasswd or {})
        self.htpasswd_file = self.workdir / f"{name}.htpasswd"
        self.tls_cert = tls_cert  # harness.tls.CertFiles (cert_file, key_file) or None
        self.ca_file = ca_file
        self.scheme = "https" if tls_cert is not None else "http"
        self.bind_host = host
        self.log_file = self.workdir / f"{name}.log"
        self.config_file = self.workdir / f"{name}.yml"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.seed = None

    # ------------------------------------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return f"{self.bind_host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def verify(self):
        """Value for requests' `verify=`: the CA file for HTTPS, True for HTTP (unused)."""
        return self.ca_file if self.scheme == "https" else True

    def config_text(self) -> str:
        lines = [
            "version: 0.1",
            "log:",
            "  level: info",
            "  formatter: text",
            "  accesslog:",
            "    disabled: false",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {self.storage_dir}",
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "    readonly:",
            "      enabled: false",
            "http:",
            f"  addr: {self.bind_host}:{self.port}",
            f"  secret: {secrets.token_hex(16)}",
            "  headers:",
            "    X-Content-Type-Options: [nosniff]",
        ]
        if self.tls_cert is not None:
            lines += ["  tls:", f"    certificate: {self.tls_cert.cert_file}", f"    key: {self.tls_cert.key_file}"]
        if self.token_server is not None:
            ts = self.token_server
            lines += [
                "auth:",
                "  token:",
                f"    realm: {ts.realm}",
                f"    service: {ts.service}",
                f"    issuer: {ts.issuer}",
                f"    rootcertbundle: {ts.cert_file}",
            ]
        if self.htpasswd:
            lines += ["auth:", "  htpasswd:", "    realm: harness-basic-realm", f"    path: {self.htpasswd_file}"]
        return "\n".join(lines) + "\n"

    def logs(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _ping(self):
        with requests.Session() as s:
            s.trust_env = False  # never via a proxy from the environment
            r = s.get(f"{self.url}/v2/", timeout=1.0, verify=self.verify, allow_redirects=False)
        return r.status_code in (200, 401)

    def start(self, attempts: int = 3) -> Registry:
        if not os.path.exists(REGISTRY_BIN):
            raise RegistryStartError(f"docker-registry binary not found at {REGISTRY_BIN}")
        if self.token_server is not None and not self.token_server.cert_file:
            self.token_server.write_cert(self.workdir)
        if self.htpasswd:
            self.htpasswd_file.write_text("".join(f"{u}:{bcrypt_hash(p)}\n" for u, p in self.htpasswd.items()))
            self.htpasswd_file.chmod(0o600)
        last = None
        for _ in range(attempts):
            self.port = free_port(self.bind_host)
            self.config_file.write_text(self.config_text())
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(self.workdir),
                # no proxy for anything: the registry never talks to the network anyway
                "NO_PROXY": "*",
                "no_proxy": "*",
            }
            with open(self.log_file, "ab") as log:
                self.proc = subprocess.Popen(
                    [REGISTRY_BIN, "serve", str(self.config_file)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                    cwd=self.workdir,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
            atexit.register(self.stop)
            try:
                # ready = it says it listens on our address (not someone else who grabbed the port) and /v2/ answers
                wait_for(
                    lambda: (
                        self.proc.poll() is not None
                        or (f"listening on {self.bind_host}:{self.port}" in self.logs() and self._ping())
                    ),
                    START_TIMEOUT,
                    what=f"{self.name} /v2/",
                )
            except TimeoutError as exc:
                last = exc
                self.stop()
                continue
            if self.proc.poll() is None:
                return self
            last = RuntimeError(f"exited with {self.proc.returncode}")
            self.proc = None
            if "address already in use" not in self.logs():
                break
        raise RegistryStartError(
            f"{self.name} did not start ({last}); config {self.config_file}; log {self.log_file}:\n"
            f"{self.logs()[-6000:]}"
        )

    def stop(self):
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
