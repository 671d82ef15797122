"""Docker client configuration for credential tests: a config.json with `auths`, `credsStore` and/or
`credHelpers`, plus a fake `docker-credential-<name>` helper (a small Python script) that answers `get`
from a JSON file, exactly like the real helper protocol (stdin: server URL; stdout: {"ServerURL","Username","Secret"};
unknown server: "credentials not found in native keychain" on stdout, exit 1).

    cfg = DockerConfig(tmpdir)
    cfg.add_auth("127.0.0.1:5000", "alice", "alice-pass")               # auths: base64 user:pass
    cfg.add_helper_creds("127.0.0.1:5001", "bob", "bob-pass", helper="harness")   # credHelpers + helper store
    cfg.set_creds_store("harness")                                         # credsStore
    cfg.write()
    cfg.dir        # DOCKER_CONFIG directory (config.json inside)
    cfg.bin_dir    # contains docker-credential-harness; prepend to PATH (cfg.env() does that)
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import stat
import sys

HELPER_TEMPLATE = """#!{python}
import json, sys
STORE = {store!r}
action = sys.argv[1] if len(sys.argv) > 1 else ""
if action == "get":
    server = sys.stdin.read().strip()
    with open(STORE) as f:
        creds = json.load(f)
    for key in (server, server.split("://", 1)[-1].rstrip("/")):
        if key in creds:
            c = creds[key]
            json.dump({{"ServerURL": server, "Username": c["Username"], "Secret": c["Secret"]}}, sys.stdout)
            sys.exit(0)
    sys.stdout.write("credentials not found in native keychain\\n")
    sys.exit(1)
if action == "list":
    with open(STORE) as f:
        json.dump({{k: v["Username"] for k, v in json.load(f).items()}}, sys.stdout)
    sys.exit(0)
sys.stderr.write("unsupported action\\n")
sys.exit(1)
"""


class DockerConfig:
    def __init__(self, directory):
        self.dir = pathlib.Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.bin_dir = self.dir / "bin"
        self.bin_dir.mkdir(exist_ok=True)
        self.config_file = self.dir / "config.json"
        self.config: dict = {"auths": {}}
        self._helpers: dict[str, dict] = {}

    def add_auth(self, server: str, username: str, password: str, *, identitytoken: str | None = None):
        entry = {"auth": base64.b64encode(f"{username}:{password}".encode()).decode()}
        if identitytoken:
            entry["identitytoken"] = identitytoken
        self.config["auths"][server] = entry
        return self

    def add_raw_auth(self, server: str, entry: dict):
        self.config["auths"][server] = entry
        return self

    def _helper_store(self, helper: str) -> dict:
        return self._helpers.setdefault(helper, {})

    def add_helper_creds(
        self, server: str, username: str, password: str, *, helper: str = "harness", per_host: bool = True
    ):
        """Store credentials in helper HELPER; with per_host, also map SERVER to it in credHelpers."""
        self._helper_store(helper)[server] = {"Username": username, "Secret": password}
        if per_host:
            self.config.setdefault("credHelpers", {})[server] = helper
        return self

    def set_creds_store(self, helper: str = "harness"):
        self.config["credsStore"] = helper
        self._helper_store(helper)
        # docker writes an empty entry under auths for hosts stored in credsStore
        return self

    def write(self) -> DockerConfig:
        self.config_file.write_text(json.dumps(self.config, indent=2))
        for helper, store in self._helpers.items():
            store_file = self.dir / f"helper-{helper}.json"
            store_file.write_text(json.dumps(store))
            exe = self.bin_dir / f"docker-credential-{helper}"
            exe.write_text(HELPER_TEMPLATE.format(python=sys.executable, store=str(store_file)))
            exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return self

    def env(self, base: dict | None = None) -> dict:
        """An environment with DOCKER_CONFIG=self.dir and bin_dir first on PATH."""
        env = dict(os.environ if base is None else base)
        env["DOCKER_CONFIG"] = str(self.dir)
        env["PATH"] = f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}"
        return env
