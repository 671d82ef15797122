"""The typed modules stay typed: mypy --strict on the modules listed in pyproject.toml's [tool.mypy] files."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MYPY = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")


def test_mypy_strict_is_clean():
    assert MYPY, "mypy is a test extra: pip install -e .[test]"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True and config["files"]
    result = subprocess.run([MYPY], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_listed_module_exists():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    missing = [f for f in config["files"] if not (ROOT / f).is_file()]
    assert not missing, missing
