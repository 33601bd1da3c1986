#!/bin/sh
# config-claude-code.sh: point Claude Code at LiteLLM through the local proxy, with your client key.
# A thin wrapper: every step lives in `litellm-key setup` (installed by the litellm-key feature).

tool=$(command -v litellm-key 2>/dev/null || echo /usr/local/share/litellm-key/venv/bin/litellm-key)

case "${1:-}" in
  -h|--help)
    cat <<'EOF'
usage: config-claude-code.sh [litellm-key setup options]

Sets up Claude Code in this Dev Container to use your LiteLLM client key:
  1. asks for the key (hidden), or reads it from --key-stdin / LITELLM_API_KEY
  2. checks it against LiteLLM and stores it in the workspace .env (git-ignored, mode 0600)
  3. starts the local nginx proxy that adds the Host header LiteLLM is routed on
  4. writes Claude Code's settings, then verifies the key through the proxy

It runs `litellm-key setup` with the options you give (the clients: the feature's `clients`
option; a --client you add comes on top, as `litellm-key setup --client claude-code --client X`).
Options you give are recorded, and after a container rebuild `litellm-key apply` (run on start)
restores everything from .env and those choices without asking.

examples:
  $ config-claude-code.sh
  $ config-claude-code.sh --key-stdin < keyfile
  $ config-claude-code.sh --client codex        # also configure Codex

All options (from `litellm-key setup --help`):
EOF
    if [ -x "$tool" ]; then
      exec "$tool" setup --help
    fi
    exit 0
    ;;
esac

if [ ! -x "$tool" ]; then
  echo "(!) litellm-key is not installed: add the litellm-key feature to .devcontainer/devcontainer.json and rebuild." >&2
  exit 127
fi
# Claude Code always, plus the clients asked for; without --client, the `clients` setting decides
# (so a plain run records no client choice that would hide the feature's option after a rebuild).
case " $* " in
  *" --client"*) exec "$tool" setup --client claude-code "$@" ;;
esac
exec "$tool" setup "$@"
