"""A performance goal (docs/performance.md): `setup` storing a key in a big `.env` rewrites our lines without parsing the
file with python-dotenv (that was 15x the time of a 1 KB file, and 112 MiB for 10 MB), and keeps
every other byte. benchmarks/token_startup.py measures it; this holds the path it takes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import GOOD_KEY
from feature_config import feature_config
from proxy_helpers import free_port

# Quoted values with comments and apostrophes on every line: the costly kind to check.
USER_LINES = b"# Don't commit this file\n" + b"".join(b"VAR_%05d='it''s quoted' # and a comment\n" % i for i in range(20000))


@pytest.mark.parametrize("old_key", [None, "sk-old-client-key-0000000000000000"], ids=["new key", "key on the last line"])
def test_setup_stores_a_key_in_a_big_env_without_python_dotenv_or_yaml(cli, workspace, tmp_path, old_key):
    """With the system config every container has (the proxy is off by the environment here)."""
    config = tmp_path / "config.yaml"
    config.write_text(feature_config(cli.standin.url, free_port()))
    env_file = workspace / ".env"
    env_file.write_bytes(USER_LINES + (f"LITELLM_API_KEY={old_key}\n".encode() if old_key else b""))
    probe = (
        "import sys, io, contextlib\n"
        "from litellm_key.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    code = main(['setup', '--key-stdin', '--no-verify'])\n"
        "print(code, [m for m in ('dotenv', 'yaml') if m in sys.modules])\n"
    )
    env = {**cli.env, "LITELLM_KEY_SYSTEM_CONFIG": str(config)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=workspace, env=env, input=GOOD_KEY + "\n",
                            capture_output=True, text=True)
    assert result.stdout == "0 []\n", result.stderr
    data = env_file.read_bytes()
    assert data.startswith(USER_LINES) and f"LITELLM_API_KEY={GOOD_KEY}\n".encode() in data[len(USER_LINES):]
    assert b"sk-old" not in data
