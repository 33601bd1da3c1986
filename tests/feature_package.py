"""The packaged feature (`scripts/package-feature`), shared by the Debian-root and the Dev Container
tests: .ci/run packages it first; a local run repackages it when the sources are newer, so no test
ever installs a stale feature."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FEATURE_SOURCE = REPO / "feature" / "litellm-key"
PACKAGED = REPO / "build" / "feature" / "devcontainer-feature-litellm-key.tgz"


def skip_or_fail(message: str) -> None:
    """Skip locally; in CI (CI set) fail, so CI cannot pass without running the real-part tests."""
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run these tests: install what they need in .ci/run)")
    pytest.skip(message)


def _newest_source_change() -> float:
    sources = [REPO / "pyproject.toml", *REPO.glob("src/litellm_key/**/*"), *FEATURE_SOURCE.glob("*")]
    return max(path.stat().st_mtime for path in sources if path.is_file() and "__pycache__" not in path.parts)


def packaged_feature() -> Path:
    if not PACKAGED.is_file() or PACKAGED.stat().st_mtime < _newest_source_change():
        if not shutil.which("npm"):
            skip_or_fail("packaging the feature needs npm (Node.js >= 20): install it, or run scripts/package-feature")
        completed = subprocess.run(
            [str(REPO / "scripts" / "package-feature"), "--no-local-copy"], capture_output=True, text=True, timeout=900
        )
        assert completed.returncode == 0, f"scripts/package-feature failed:\n{completed.stderr}"
    return PACKAGED
