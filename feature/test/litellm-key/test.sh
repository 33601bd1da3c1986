#!/bin/bash
# `devcontainer features test` (needs Docker): the feature with its default options.
# The same checks run without Docker in tests/test_feature.py (throw-away Debian roots).
set -e
source dev-container-features-test-lib

check "litellm-key runs" litellm-key --version
check "config-claude-code.sh is on PATH" bash -c "command -v config-claude-code.sh"
check "config-claude-code.sh explains itself" bash -c "config-claude-code.sh --help | grep -q 'litellm-key setup --client claude-code'"
check "options written" grep -q 'host_header: litellm.localhost' /etc/litellm-key/config.yaml
check "nginx installed" test -x /usr/sbin/nginx
check "no key yet: apply says so and succeeds" bash -c "cd \"\$(mktemp -d)\" && litellm-key apply --quiet"

reportResults
