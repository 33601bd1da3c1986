#!/bin/sh
# The entry point the manual set-up guide documents: `bash .devcontainer/additions/config-claude-code.sh`.
# Runs config-claude-code.sh from the litellm-key feature (which runs `litellm-key setup
# --client claude-code`); every option is passed through, e.g. --key-stdin or --help.

if command -v config-claude-code.sh >/dev/null 2>&1; then
  exec config-claude-code.sh "$@"
fi
if [ -x /usr/local/share/litellm-key/bin/config-claude-code.sh ]; then
  exec /usr/local/share/litellm-key/bin/config-claude-code.sh "$@"
fi

cat >&2 <<'MESSAGE'
(!) The litellm-key feature is not installed in this container, so config-claude-code.sh is missing.
    Add it to .devcontainer/devcontainer.json and rebuild the container:

      "features": {
        "ghcr.io/OWNER/litellm-key/litellm-key:0": { "upstream": "http://host.docker.internal:80" }
      },
      "runArgs": ["--add-host=host.docker.internal:host-gateway"]

    In the litellm-key repository itself, run scripts/package-feature first (it places the
    feature at .devcontainer/litellm-key, which devcontainer.json uses as "./litellm-key").
MESSAGE
exit 127
