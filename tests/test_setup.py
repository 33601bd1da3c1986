"""`litellm-key setup`: every way a key arrives, and what the user sees and keeps."""

from __future__ import annotations

import stat

from conftest import GOOD_KEY


def test_setup_from_stdin_stores_verified_key(cli, workspace, standin):
    result = cli("setup", "--key-stdin", input=f"  {GOOD_KEY}\r\n")

    assert result.returncode == 0, result.output
    assert "✓ key sk-...cdef accepted by LiteLLM" in result.stdout
    assert "claude-sonnet-4-5-20250929, claude-3-opus-20240229" in result.stdout
    env_file = workspace / ".env"
    assert env_file.read_text() == (
        f"LITELLM_API_KEY={GOOD_KEY}\nLITELLM_BASE_URL={standin.url}\nLITELLM_KEY_EXPIRES=2099-12-31T00:00:00Z\n"
    )
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert standin.requests[0].headers["Authorization"] == f"Bearer {GOOD_KEY}"
