"""Cloud credentials for the account-side checks: a SecretId/SecretKey (and optional session token) from the
environment (`TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` / `TENCENTCLOUD_SESSION_TOKEN`) or tccli's
`~/.tccli/<profile>.credential`. Kept apart from diagnostics/cloud.py so that `ask` and `explain` can say whether
`--cloud` would work without importing the network stack."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

__all__ = ["CloudCredentials", "credentials_available", "load_credentials"]


@dataclass(frozen=True)
class CloudCredentials:
    """A SecretId/SecretKey (and optional session token). `repr` and `str` never show them."""

    secret_id: str = field(repr=False)
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    source: str = "env"

    def secrets(self) -> list[str]:
        """Every secret value, for output redaction."""
        return [s for s in (self.secret_id, self.secret_key, self.token) if s]


def load_credentials(
    env: Mapping[str, str] | None = None, profile: str | None = None, home: str | None = None
) -> CloudCredentials | None:
    """Credentials from the environment, else from tccli's credential file for PROFILE; None when neither."""
    env = os.environ if env is None else env
    sid, key = (env.get("TENCENTCLOUD_SECRET_ID") or "").strip(), (env.get("TENCENTCLOUD_SECRET_KEY") or "").strip()
    if sid and key and not profile:
        return CloudCredentials(sid, key, (env.get("TENCENTCLOUD_SESSION_TOKEN") or "").strip() or None, "env")
    name = profile or "default"
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", name):
        raise InputError(f"invalid tccli profile name {name!r}", f"tccli 配置名 {name!r} 无效")
    base = Path(home) if home else Path(env.get("HOME") or Path.home())
    path = base / ".tccli" / f"{name}.credential"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if profile:
            raise InputError(
                f"no tccli profile {profile!r} ({path} does not exist)", f"没有 tccli 配置 {profile!r}（{path} 不存在）"
            ) from None
        return None
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot read tccli credentials {path}: {type(exc).__name__}",
            f"无法读取 tccli 凭证 {path}：{type(exc).__name__}",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"cannot read tccli credentials {path}: not a JSON object", f"无法读取 tccli 凭证 {path}：不是 JSON 对象"
        )
    sid, key = str(data.get("secretId") or "").strip(), str(data.get("secretKey") or "").strip()
    if not (sid and key):
        raise InputError(
            f"tccli profile {name!r} has no secretId/secretKey", f"tccli 配置 {name!r} 里没有 secretId/secretKey"
        )
    return CloudCredentials(sid, key, str(data.get("token") or "").strip() or None, f"tccli:{name}")


def credentials_available(env: Mapping[str, str] | None = None, home: str | None = None) -> bool:
    """Whether `--cloud` would find credentials (environment or tccli default profile). Reads no secret."""
    env = os.environ if env is None else env
    if env.get("TENCENTCLOUD_SECRET_ID") and env.get("TENCENTCLOUD_SECRET_KEY"):
        return True
    base = Path(home) if home else Path(env.get("HOME") or Path.home())
    return (base / ".tccli" / "default.credential").is_file()
