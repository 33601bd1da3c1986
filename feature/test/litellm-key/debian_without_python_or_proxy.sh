#!/bin/bash
# Scenario debian_without_python_or_proxy: plain debian:bookworm has no Python; the feature brings
# python3 + venv, and with useProxy=false no nginx.
set -e
source dev-container-features-test-lib

check "python3 installed" python3 --version
check "litellm-key runs" litellm-key --version
check "proxy off" grep -q 'proxy: false' /etc/litellm-key/config.yaml
check "nginx not installed" bash -c "! command -v nginx && ! test -x /usr/sbin/nginx"

reportResults
