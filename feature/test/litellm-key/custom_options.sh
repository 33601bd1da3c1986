#!/bin/bash
# Scenario custom_options (scenarios.json): every option reaches /etc/litellm-key/config.yaml.
set -e
source dev-container-features-test-lib

check "upstream" grep -q 'upstream: http://host.docker.internal:4000' /etc/litellm-key/config.yaml
check "host header" grep -q 'host_header: litellm.example.test' /etc/litellm-key/config.yaml
check "proxy port" grep -q "listen: 127.0.0.1:8081" /etc/litellm-key/config.yaml
check "clients" bash -c "litellm-key --help >/dev/null && grep -A2 '^clients:' /etc/litellm-key/config.yaml | grep -q codex"

reportResults
