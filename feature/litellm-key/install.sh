#!/usr/bin/env bash
#-------------------------------------------------------------------------------------------------
# litellm-key Dev Container feature: install the litellm-key CLI, its proxy's nginx, and the
# feature options as /etc/litellm-key/config.yaml. Runs as root at image build.
#
# Only installs: every behaviour (proxy, clients, key checks) lives in the Python tool. Idempotent:
# a second run with the same options and the same wheelhouse changes nothing.
#-------------------------------------------------------------------------------------------------
UPSTREAM=${UPSTREAM:-"http://host.docker.internal:80"}
HOST_HEADER=${HOSTHEADER:-"litellm.localhost"}
PROXY_PORT=${PROXYPORT:-"8080"}
MODELS=${MODELS:-"claude-sonnet-4-5-20250929,claude-3-opus-20240229"}
CLIENTS=${CLIENTS:-"claude-code"}
USE_PROXY=${USEPROXY:-"true"}
INSTALL_NGINX=${INSTALLNGINX:-"true"}
PORTAL_URL=${PORTALURL:-""}
REMOTE_USER=${_REMOTE_USER:-""}
REMOTE_USER_HOME=${_REMOTE_USER_HOME:-""}

set -e

FEATURE_DIR=$(cd "$(dirname "$0")" && pwd)
WHEELHOUSE="$FEATURE_DIR/wheelhouse"
PREFIX=/usr/local/share/litellm-key
VENV="$PREFIX/venv"
STAMP="$PREFIX/installed-from"
CONFIG=/etc/litellm-key/config.yaml
MIN_PYTHON=3.10

if [ "$(id -u)" -ne 0 ]; then
  echo '(!) install.sh must run as root: the Dev Container build does this; by hand, use sudo.' >&2
  exit 1
fi

fail() {
  echo "(!) $*" >&2
  exit 1
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

APT_UPDATED=false
apt_get_update() {
  if [ "$APT_UPDATED" = false ]; then
    echo "(*) apt-get update"
    apt-get update -y -q >/dev/null
    APT_UPDATED=true
  fi
}

# The nginx package to ask for: nginx-light where the release still has it, else nginx.
nginx_package() {
  if apt-cache show nginx-light >/dev/null 2>&1; then echo nginx-light; else echo nginx; fi
}

# ---- 1. system packages: only what is missing --------------------------------------------------
python_bin=$(command -v python3 || true)
wanted=()
if [ -z "$python_bin" ]; then
  wanted+=(python3 python3-venv)
elif ! "$python_bin" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  wanted+=(python3-venv)
fi
need_nginx=false
if [ "$USE_PROXY" = true ] && [ "$INSTALL_NGINX" = true ] \
  && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  need_nginx=true
fi

if [ ${#wanted[@]} -gt 0 ] || [ "$need_nginx" = true ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    [ "$need_nginx" = true ] && wanted+=(nginx)
    fail "this image has no apt-get, so the feature cannot install ${wanted[*]}." \
      "It supports Debian and Ubuntu based images; elsewhere install Python >= $MIN_PYTHON (with venv) and nginx first."
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt_get_update
  [ "$need_nginx" = true ] && wanted+=("$(nginx_package)")
  missing=()
  for package in "${wanted[@]}"; do
    is_installed "$package" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "(*) installing ${missing[*]}"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  python_bin=$(command -v python3 || true)
fi

# ---- 2. a Python the tool can run on -------------------------------------------------------------
[ -n "$python_bin" ] || fail "python3 is still missing after installing it; install Python >= $MIN_PYTHON and rebuild."
python_version=$("$python_bin" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "${python_version%%.*}" -lt 3 ] || { [ "${python_version%%.*}" -eq 3 ] && [ "${python_version#*.}" -lt 10 ]; }; then
  fail "litellm-key needs Python >= $MIN_PYTHON, but $python_bin is Python $python_version." \
    "Use a newer base image (Debian 12, Ubuntu 22.04 or later), or add ghcr.io/devcontainers/features/python before this feature."
fi

# ---- 3. the tool, in its own virtualenv, from the bundled wheelhouse ----------------------------
if ls "$WHEELHOUSE"/litellm_key-*.whl >/dev/null 2>&1; then
  wheel=$(ls "$WHEELHOUSE"/litellm_key-*.whl | tail -n 1)
  version=$(basename "$wheel" | cut -d- -f2)
  source_id="wheelhouse $(cd "$WHEELHOUSE" && cat -- *.whl | sha256sum | cut -d' ' -f1)"
else
  version=""
  source_id="package index"
fi
source_id="$source_id; python $(readlink -f "$python_bin") $python_version"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$source_id" ] && "$VENV/bin/litellm-key" --version >/dev/null 2>&1; then
  echo "(*) litellm-key $("$VENV/bin/litellm-key" --version | cut -d' ' -f2) already installed in $VENV"
else
  echo "(*) creating $VENV (Python $python_version)"
  rm -rf "$VENV" "$STAMP"
  mkdir -p "$PREFIX"
  "$python_bin" -m venv "$VENV" || fail "could not create a virtualenv with $python_bin; install python3-venv and rebuild."
  pip=("$VENV/bin/python" -m pip install --disable-pip-version-check --no-cache-dir -q)
  if [ -n "$version" ]; then
    echo "(*) installing litellm-key $version from the bundled wheelhouse"
    if ! "${pip[@]}" --no-index --find-links "$WHEELHOUSE" "litellm-key==$version"; then
      echo "(*) the wheelhouse has no wheel for Python $python_version on $(uname -m); taking the missing ones from the package index"
      "${pip[@]}" --find-links "$WHEELHOUSE" "litellm-key==$version" \
        || fail "could not install litellm-key: the package index is unreachable from this build or has no fitting wheel (see pip's message above)."
    fi
  else
    echo "(*) no wheelhouse in the feature: installing litellm-key from the package index"
    "${pip[@]}" litellm-key \
      || fail "could not install litellm-key from the package index; package the feature with scripts/package-feature to bundle a wheelhouse."
  fi
  echo "$source_id" >"$STAMP"
fi

# ---- 4. commands on PATH -------------------------------------------------------------------------
mkdir -p "$PREFIX/bin"
cmp -s "$FEATURE_DIR/config-claude-code.sh" "$PREFIX/bin/config-claude-code.sh" \
  || install -m 0755 "$FEATURE_DIR/config-claude-code.sh" "$PREFIX/bin/config-claude-code.sh"
link() {
  [ "$(readlink "$2" 2>/dev/null)" = "$1" ] || ln -sfn "$1" "$2"
}
link "$VENV/bin/litellm-key" /usr/local/bin/litellm-key
link "$PREFIX/bin/config-claude-code.sh" /usr/local/bin/config-claude-code.sh

# ---- 5. feature options -> /etc/litellm-key/config.yaml, checked by `litellm-key config check` ---
# The options are only written out here; every rule about a value lives in the tool's settings, so
# a bad option fails the build with the message the tool itself would print at container start.

# A YAML single-quoted scalar: '' is its only escape, so no option value can add a line or a key.
yaml_text() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# A comma-separated option as a YAML flow list of trimmed, non-empty names.
yaml_list() {
  local item list=""
  local -a items
  IFS=, read -r -d '' -a items <<<"$1" || true
  for item in "${items[@]}"; do
    item="${item#"${item%%[![:space:]]*}"}"
    item="${item%"${item##*[![:space:]]}"}"
    [ -n "$item" ] && list="${list:+$list, }$(yaml_text "$item")"
  done
  printf '[%s]' "$list"
}

yaml_bool() {
  case "$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" in
    true) echo true ;;
    false) echo false ;;
    *) yaml_text "$1" ;;
  esac
}

mkdir -p "$(dirname "$CONFIG")"
rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
{
  echo "# Written by the litellm-key Dev Container feature from its options: change them in"
  echo "# devcontainer.json and rebuild. Per-workspace overrides: .devcontainer/litellm-key.yaml"
  echo "upstream: $(yaml_text "$UPSTREAM")"
  echo "host_header: $(yaml_text "$HOST_HEADER")"
  echo "listen: $(yaml_text "127.0.0.1:${PROXY_PORT//[[:space:]]/}")"
  echo "proxy: $(yaml_bool "$USE_PROXY")"
  echo "models: $(yaml_list "$MODELS")"
  echo "clients: $(yaml_list "$CLIENTS")"
  if [ -n "${PORTAL_URL//[[:space:]]/}" ]; then
    echo "portal_url: $(yaml_text "$PORTAL_URL")"
  fi
} >"$rendered"
if ! problem=$("$VENV/bin/litellm-key" config check --quiet --file "$rendered" 2>&1 >/dev/null); then
  problem=${problem//"$rendered"/$CONFIG}
  fail "invalid feature option: ${problem#✗ }"
fi
if ! cmp -s "$rendered" "$CONFIG"; then
  install -m 0644 "$rendered" "$CONFIG"
  echo "(*) wrote $CONFIG"
fi

# ---- 6. what the remote user needs to run the proxy unprivileged --------------------------------
# nginx runs as the remote user with every file (config, pid, logs, temp dirs) under the state dir
# ~/.local/state/litellm-key, so root-only places such as /var/log/nginx and /var/lib/nginx are
# never touched. What can still go wrong is a root-owned ~/.local (another feature created it):
# create the state dir now, owned by the user.
if [ "$USE_PROXY" = true ] && [ -n "$REMOTE_USER" ] && [ "$REMOTE_USER" != root ] && id "$REMOTE_USER" >/dev/null 2>&1; then
  home=${REMOTE_USER_HOME:-$(getent passwd "$REMOTE_USER" | cut -d: -f6)}
  group=$(id -gn "$REMOTE_USER")
  if [ -d "$home" ]; then
    for dir in "$home/.local" "$home/.local/state" "$home/.local/state/litellm-key"; do
      [ -d "$dir" ] || install -d -m 0755 -o "$REMOTE_USER" -g "$group" "$dir"
    done
    state_owner=$(stat -c %U "$home/.local/state/litellm-key")
    [ "$state_owner" = "$REMOTE_USER" ] || chown "$REMOTE_USER:$group" "$home/.local/state/litellm-key"
  fi
fi
if [ "$USE_PROXY" = true ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "(*) nginx is not installed (installNginx=false): the proxy will not start until it is."
fi

# ---- 7. the user's litellm-key folder on the feature's volume ------------------------------------
# ~/.config/litellm-key holds what must outlive a rebuild but stay out of the workspace: the portal
# session token (renewal), the user's own config.yaml. devcontainer-feature.json mounts a named
# volume per dev container at USER_VOLUME; the folder becomes a link to it, so the tool finds it at
# its usual place and a rebuild (a new home folder) finds the same files. Made here, at build, so
# Docker copies this owner and mode 0700 into the volume when it first mounts it.
USER_VOLUME=/var/lib/litellm-key/config
volume_user=${REMOTE_USER:-root}
if id "$volume_user" >/dev/null 2>&1; then
  home=${REMOTE_USER_HOME:-$(getent passwd "$volume_user" | cut -d: -f6)}
  group=$(id -gn "$volume_user")
  [ -d "$USER_VOLUME" ] || install -d -m 0700 -o "$volume_user" -g "$group" "$USER_VOLUME"
  if [ -d "$home" ]; then
    [ -d "$home/.config" ] || install -d -m 0755 -o "$volume_user" -g "$group" "$home/.config"
    if [ -d "$home/.config/litellm-key" ] && [ ! -L "$home/.config/litellm-key" ]; then
      # an earlier image step made the folder: keep what it holds
      cp -a "$home/.config/litellm-key/." "$USER_VOLUME/" && rm -rf "$home/.config/litellm-key"
    fi
    link "$USER_VOLUME" "$home/.config/litellm-key"
  fi
fi

# ---- 8. tidy up what apt left behind -------------------------------------------------------------
if [ "$APT_UPDATED" = true ]; then
  rm -rf /var/lib/apt/lists/*
fi

echo "(*) litellm-key is ready: run config-claude-code.sh (or litellm-key setup) in the container."
