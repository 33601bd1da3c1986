"""Every failure a user can see: one catalogue, one exit code per class.

All user-visible failure text lives here so the troubleshooting table in docs/troubleshooting.md has a single source
to be checked against (tests/test_readme.py walks `CATALOGUE`). Code raises `fail("reason", ...)`;
the CLI turns the exception into a two-line report (what happened, how to fix it) and its exit code.
"""

from __future__ import annotations

from .known_clients import ENVIRONMENT_CLIENTS_TEXT


class LitellmKeyError(Exception):
    """Base of every expected failure; anything else is a bug (exit 1)."""

    exit_code = 1

    def __init__(self, reason: str, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.fix = fix

    def as_dict(self) -> dict[str, object]:
        return {"reason": self.reason, "message": self.message, "fix": self.fix, "exit_code": self.exit_code}


class UsageError(LitellmKeyError):
    exit_code = 2


class ConfigError(LitellmKeyError):
    exit_code = 3


class KeyRejected(LitellmKeyError):
    exit_code = 4


class ModelAccessError(LitellmKeyError):
    exit_code = 5


class GatewayError(LitellmKeyError):
    exit_code = 6


class ProxyError(LitellmKeyError):
    exit_code = 7


class SafetyRefusal(LitellmKeyError):
    exit_code = 8


class Cancelled(LitellmKeyError):
    exit_code = 130


EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "unexpected error (a bug: please report it with the output)",
    2: "usage: bad flags, or no TTY and no key source",
    3: "configuration: bad URL, YAML, unknown or missing setting, .env a directory or not writable",
    4: "key rejected: missing, malformed, invalid, expired, blocked or over budget",
    5: "model: the key lacks a configured model, or the gateway does not know the model",
    6: "gateway unusable: unreachable, timeout, 5xx, not LiteLLM, no database; `keys onboard` left keys uncreated",
    7: "proxy: nginx missing, config invalid, port busy, upstream host not resolvable",
    8: "refused for safety: .env (or its link target, or the recorded setup choices) tracked by git or linking outside the repository, the master key where a client key belongs, a key alias already taken; `keys audit` found a risk",
    130: "cancelled at a prompt (Ctrl-C)",
    141: "the reader of the output went away (`… | head`)",
}

_SETUP = "config-claude-code.sh (or: litellm-key setup)"

# reason -> (class, message template, fix template). Templates use str.format with the details
# passed to fail(); every detail must already be safe to show (masked keys only).
CATALOGUE: dict[str, tuple[type[LitellmKeyError], str, str]] = {
    # --- usage ---------------------------------------------------------------------------------
    "no-key-source": (
        UsageError,
        "No key to use: there is no terminal to prompt on and no key was given.",
        "Pass the key on stdin (`litellm-key setup --key-stdin < keyfile`) or set LITELLM_API_KEY.",
    ),
    "empty-stdin": (
        UsageError,
        "--key-stdin was given but standard input held no key.",
        "Pipe exactly one line holding the key: `printf '%s\\n' \"$KEY\" | litellm-key setup --key-stdin`.",
    ),
    "cancelled": (Cancelled, "Cancelled; nothing was changed.", ""),
    "interrupted": (
        Cancelled,
        "Cancelled.",
        "Run the same command again when you want it: every step is idempotent and completes what this run began.",
    ),
    # --- configuration -------------------------------------------------------------------------
    "config-yaml": (
        ConfigError,
        "{source}: line {line}: not valid YAML ({problem}).",
        "Fix the YAML syntax in {source}.",
    ),
    "config-file-missing": (
        ConfigError,
        "{source}: no such settings file; nothing was checked.",
        "Check the path given to `litellm-key config check --file`: it must name a YAML file.",
    ),
    "config-unreadable": (
        ConfigError,
        "{source}: cannot read the settings file ({problem}).",
        "Make {source} readable by you, or remove it.",
    ),
    "config-too-large": (
        ConfigError,
        "{source}: the settings expand to more than {limit} values (YAML aliases that multiply).",
        "Write the settings out plainly in {source}, without anchors and aliases that nest.",
    ),
    "config-not-mapping": (
        ConfigError,
        "{source}: the file must hold a mapping of settings (key: value).",
        "See docs/configuration.md.",
    ),
    "config-unknown": (
        ConfigError,
        "{source}: unknown setting '{field}'.",
        "Known settings: {known}.",
    ),
    "config-value": (
        ConfigError,
        "{source}: {field}: {problem}.",
        "{hint}",
    ),
    "env-not-a-file": (
        ConfigError,
        "{env_file} is {kind}, not a file, so it cannot hold the key.",
        "Move it away, or point env_file (--env-file, LITELLM_ENV_FILE) at a file.",
    ),
    "env-unreadable": (
        ConfigError,
        "Cannot read {env_file} ({detail}).",
        "Make the file readable by you (`ls -l {env_file}`), or point --env-file at another file.",
    ),
    "env-unwritable": (
        ConfigError,
        "Cannot write {path} ({detail}); nothing was changed.",
        "Make the folder writable by you (a read-only mount or another owner?), or point --env-file elsewhere.",
    ),
    "env-folder-not-yours": (
        ConfigError,
        "Cannot write {path} ({detail}): {folder} belongs to uid {owner}, and you are uid {uid}; nothing was changed.",
        "In a Dev Container, let the CLI give the container user your host uid (\"updateRemoteUserUID\": true in "
        "devcontainer.json, the default; it does nothing when the CLI runs as root) and rebuild, or make the folder "
        "yours on the host (`sudo chown -R {uid} {folder}`).",
    ),
    "state-dir-unusable": (
        ConfigError,
        "Cannot use litellm-key's state folder ({detail}); nothing was changed.",
        "Make it yours again (`sudo chown -R \"$USER\" {state_dir}`: an earlier `sudo litellm-key …` may have "
        "created it), or set `state_dir:` (LITELLM_STATE_DIR) to a folder you can write.",
    ),
    "env-key-malformed": (
        KeyRejected,
        "The key stored in {env_file} contains {problem}, so no client could send it.",
        f"Store a good key: run {_SETUP}.",
    ),
    # --- key -----------------------------------------------------------------------------------
    "key-missing": (
        KeyRejected,
        "No client key is stored in {where}.",
        f"Run {_SETUP} to store one.",
    ),
    "key-malformed": (
        KeyRejected,
        "The key contains {problem}; a LiteLLM key is one word like sk-...",
        "Copy the key again without spaces or line breaks inside it.",
    ),
    "key-not-sent": (
        KeyRejected,
        "LiteLLM received no key (401 'No api key passed in').",
        "Something between you and LiteLLM drops the Authorization header; check the proxy with `litellm-key proxy status`.",
    ),
    "key-not-virtual": (
        KeyRejected,
        "LiteLLM rejected the key {key}: it is not a LiteLLM virtual key (it expects sk-...).",
        "Use the sk-... key your LiteLLM admin generated, not a provider (Anthropic/OpenAI) key.",
    ),
    "key-invalid": (
        KeyRejected,
        "LiteLLM does not know the key {key} (401 invalid proxy server token).",
        "The key was deleted or mistyped. Ask your LiteLLM admin for a new one, then run "
        + _SETUP
        + ".",
    ),
    "key-expired": (
        KeyRejected,
        "The key {key} has expired{expiry}.",
        f"With a key portal (portal_url): run `litellm-key renew`. Otherwise ask your LiteLLM admin for a new key, then run {_SETUP}.",
    ),
    "key-blocked": (
        KeyRejected,
        "The key {key} is blocked by the LiteLLM admin.",
        "Ask your LiteLLM admin to unblock it (`/key/unblock`) or to issue a new one.",
    ),
    "key-budget": (
        KeyRejected,
        "The key {key} is over its budget ({detail}).",
        "Ask your LiteLLM admin to raise max_budget or reset the spend for this key.",
    ),
    "key-rejected": (
        KeyRejected,
        "LiteLLM rejected the key {key} ({status}: {detail}).",
        "Check the key with your LiteLLM admin; `litellm-key proxy status` checks the hops in front of LiteLLM.",
    ),
    "key-too-large": (
        KeyRejected,
        "The request headers were too large ({status} from the server): the key {key} is {length} characters long.",
        "A LiteLLM key is one short word (sk- and a few dozen characters): copy the key again, alone, "
        "then run " + _SETUP + ".",
    ),
    "key-admin-only": (
        KeyRejected,
        "This needs the LiteLLM master (admin) key; the key given is a client key.",
        "Admin calls need the master key (Kubernetes secret ai/urbalurba-secrets, field LITELLM_PROXY_MASTER_KEY).",
    ),
    # --- models --------------------------------------------------------------------------------
    "model-missing": (
        ModelAccessError,
        "The key {key} cannot use {missing}; it can use: {available}.",
        "Ask your admin for a key generated with the full model names (e.g. models: [\"{first_missing}\"] in /key/generate), "
        "or change the `models` setting to models the key has.",
    ),
    "model-denied": (
        ModelAccessError,
        "LiteLLM: key not allowed to access model ({detail}).",
        "Regenerate the key with the full model names (claude-sonnet-4-5-20250929, not claude-sonnet-4-5), "
        "or pick a model the key has.",
    ),
    "model-unknown": (
        ModelAccessError,
        "LiteLLM does not know the model ({detail}).",
        "Use a model name from `litellm-key status` (GET /v1/models), or ask the admin to add it to the proxy config.",
    ),
    # --- gateway -------------------------------------------------------------------------------
    "gateway-unreachable": (
        GatewayError,
        "Cannot connect to {url} ({detail}).",
        "Start the proxy (`litellm-key proxy start`) and check LiteLLM is running; `litellm-key proxy status` checks each hop.",
    ),
    "gateway-name-unresolved": (
        GatewayError,
        "Cannot resolve the host name {host} of {url} ({detail}); nothing was asked of the server.",
        "If it is localhost, the system has no entry for it: add `127.0.0.1 localhost` to /etc/hosts. "
        'If it is host.docker.internal on Linux Docker, add "runArgs": ["--add-host=host.docker.internal:host-gateway"] '
        "to devcontainer.json and rebuild. Otherwise check the name in the `upstream` setting (LITELLM_UPSTREAM) and your DNS.",
    ),
    "gateway-timeout": (
        GatewayError,
        "{url} did not answer within {timeout} s.",
        "Check LiteLLM is healthy (`kubectl -n ai get pods`), or raise LITELLM_TIMEOUT.",
    ),
    "gateway-upstream-down": (
        GatewayError,
        "The proxy is up but could not reach LiteLLM: {detail}",
        "Check Traefik/LiteLLM on the host and the `upstream` setting; on Linux Docker add "
        '"runArgs": ["--add-host=host.docker.internal:host-gateway"] to devcontainer.json.',
    ),
    "gateway-not-litellm": (
        GatewayError,
        "{url} answered {status} with something that is not LiteLLM ({detail}).",
        "A 404 page from Traefik means the Host header or route is wrong: check `host_header` "
        "(default litellm.localhost) and the Traefik IngressRoute; otherwise check the `upstream` URL.",
    ),
    "gateway-server-error": (
        GatewayError,
        "LiteLLM failed with {status}: {detail}",
        "Look at the LiteLLM logs (`kubectl -n ai logs deploy/litellm`) and retry.",
    ),
    "server-redirect": (
        GatewayError,
        "{url} answered {status}, a redirect to {location}; litellm-key follows no redirect, so no key or token went there.",
        "Point {setting} at the address that answers without redirecting (a redirect to https asks for an https:// URL).",
    ),
    "answer-broken": (
        GatewayError,
        "{url} sent an answer that is not valid HTTP/1.1 ({detail}); nothing of it was used.",
        "Check that {setting} points at the right server; if it does, something between mangles or cuts its "
        "answers (a proxy, a crashing server): `litellm-key doctor` checks each hop.",
    ),
    "answer-too-large": (
        GatewayError,
        "{url} sent an answer larger than {limit} ({detail}); litellm-key stopped reading it.",
        "No LiteLLM or portal answer is that large: check that {setting} points at the right server.",
    ),
    "gateway-no-db": (
        GatewayError,
        "LiteLLM has no database connected, so it cannot check virtual keys ({detail}).",
        "Ask your admin to connect LiteLLM to its Postgres database (DATABASE_URL).",
    ),
    "answer-unexpected": (
        GatewayError,
        "{url} answered JSON of a shape {server} does not send: {detail}.",
        "Check that {setting} points at {server} itself, not at a page or proxy that rewrites its answers; "
        "if it does, this {server} version answers differently: report it with this output.",
    ),
    # --- portal (key renewal) -------------------------------------------------------------------
    "portal-not-configured": (
        ConfigError,
        "No key portal is configured, so there is nowhere to fetch or renew the key from.",
        "Set `portal_url` (LITELLM_PORTAL_URL, or portal_url: https://... in .devcontainer/litellm-key.yaml).",
    ),
    "portal-token-unreadable": (
        ConfigError,
        "Cannot read the portal session token file {path} ({detail}).",
        "Check its owner and mode (`ls -l {path}`), or store the token again: `litellm-key portal login`.",
    ),
    "portal-token-other-portal": (
        SafetyRefusal,
        "The portal session token in {source} is for {bound}, not for the portal_url {portal_url} ({origin}): "
        "it is sent only to the portal it was given for, so nothing was sent.",
        "If {portal_url} is your portal, log in there and store its token: `litellm-key portal login`; "
        "otherwise set portal_url back to the portal the token is for.",
    ),
    "cleartext-refused": (
        SafetyRefusal,
        "Refusing to send the {secret} to {url} over plain http, without TLS: {host} is not this machine, and anyone "
        "on the way could read it (nothing was sent).",
        "Use the https:// (TLS) address, or reach it through localhost (`keys --port-forward`); on a network that is "
        "yours alone, opt in with --allow-http (or LITELLM_ALLOW_HTTP=true).",
    ),
    "portal-no-session": (
        UsageError,
        "No portal session token: LITELLM_SESSION_TOKEN is unset, {token_file} does not exist, and there is no terminal to ask on.",
        "Log in to the portal in a browser, then store the session: `litellm-key portal login` (it reads the token from a "
        "hidden prompt or --token-stdin).",
    ),
    "portal-token-malformed": (
        UsageError,
        "The session token is empty or has spaces, line breaks or characters outside ASCII inside it.",
        "Copy the portal's `token` cookie (or the token under Settings → Account) again, as one word.",
    ),
    "portal-session-expired": (
        KeyRejected,
        "The portal {url} did not accept the session token ({status}: {detail}); the stored key was left as it was.",
        "Log in to the portal again in a browser, then run `litellm-key portal login` with the new token.",
    ),
    "portal-keys-disabled": (
        ConfigError,
        "The portal {url} does not allow API keys (403 'API key creation is not allowed in the environment.').",
        "Ask the portal admin to enable API keys (Open WebUI: ENABLE_API_KEY), or paste a key: `litellm-key setup`.",
    ),
    "portal-unreachable": (
        GatewayError,
        "Cannot connect to the portal at {url} ({detail}); the stored key was left as it was.",
        "Check `portal_url` and that the portal is up, then run `litellm-key renew`.",
    ),
    "portal-timeout": (
        GatewayError,
        "The portal at {url} did not answer within {timeout} s; the stored key was left as it was.",
        "Retry with `litellm-key renew` later, or raise LITELLM_TIMEOUT.",
    ),
    "portal-server-error": (
        GatewayError,
        "The portal failed with {status} at {url}: {detail}; the stored key was left as it was.",
        "Retry with `litellm-key renew` later; if it persists, tell the portal admin.",
    ),
    "portal-not-openwebui": (
        GatewayError,
        "{url} answered {status} with something that is not the key portal ({detail}).",
        "Check `portal_url`: it is the portal's address (Open WebUI), without /api/...",
    ),
    "portal-key-rejected": (
        KeyRejected,
        "The portal issued the key {key}, but LiteLLM rejected it: {detail} The stored key was left as it was.",
        "Tell the portal admin: the portal and LiteLLM disagree about this key.",
    ),
    # --- the portal session from a browser (`portal login --from-browser`, session_source: browser) ---
    "browser-not-found": (
        ConfigError,
        "No {browser} profile with a cookie store was found (looked in {where}).",
        "Sign in to the portal with a browser installed here, or name the profile folder: --browser-profile PATH "
        "(Firefox: the folder holding cookies.sqlite; Chromium family: the user-data or profile folder).",
    ),
    "browser-none-found": (
        ConfigError,
        "No browser profile was found here ({browsers} were looked for).",
        "Sign in to the portal in one of them, or name the browser and its profile: --from-browser NAME --browser-profile PATH.",
    ),
    "browser-in-container": (
        UsageError,
        "There is no browser to read the portal session from inside a Dev Container ({marker}).",
        "Run `litellm-key portal login --from-browser` on the host, where the browser is; in here, paste the portal's "
        "`token` cookie into `litellm-key portal login`, or pass LITELLM_SESSION_TOKEN in through the container's remoteEnv.",
    ),
    "browser-store-locked": (
        GatewayError,
        "{browser} holds its cookie store {path} locked, and the portal's cookie is not in the part saved to disk yet.",
        "Close {browser} (it saves its cookies when it exits), then run the command again.",
    ),
    "browser-store-unreadable": (
        ConfigError,
        "Cannot read {browser}'s cookie store {path} ({detail}).",
        "Check the file's owner and mode (`ls -l {path}`), or name another profile: --browser-profile PATH.",
    ),
    "browser-store-undecryptable": (
        ConfigError,
        "Cannot decrypt {browser}'s cookie for the portal: {detail} (key kept in: {keyring}).",
        "Unlock {keyring} (sign in to the desktop session, or open it in Passwords and Keys / Keychain Access), "
        "then run the command again; or paste the token: `litellm-key portal login`.",
    ),
    "browser-portal-not-yours": (
        SafetyRefusal,
        "Your browser's session cookies are read only for a portal you chose, and the portal_url {portal_url} comes from "
        "{origin}: a sibling host of your portal would receive its session, so no browser was read.",
        "Set portal_url in your own ~/.config/litellm-key/config.yaml, in LITELLM_PORTAL_URL or with --portal-url; "
        "or paste the session token: `litellm-key portal login`.",
    ),
    "browser-no-cookie": (
        KeyRejected,
        "{browser} has no `{cookie}` cookie for {host} ({path}).",
        "Sign in to the portal in {browser} first (a cookie set at 127.0.0.1 is not one for localhost; Chromium saves a "
        "new cookie within about 30 s), then run the command again; a portal whose session cookie has another name: set session_cookie.",
    ),
    "browser-session-expired": (
        KeyRejected,
        "The `{cookie}` cookie {browser} holds for {host} is no longer a valid portal session (the portal answered 401/403); nothing was stored.",
        "Sign in to the portal {url} in {browser} again, then run the command again.",
    ),
    "browser-extra-missing": (
        ConfigError,
        "Reading an encrypted Chromium-family cookie needs the optional `browser` extra (cryptography, secretstorage), which is not installed.",
        "Install it: `pip install 'litellm-key[browser]'`, or use Firefox, or paste the token: `litellm-key portal login`.",
    ),
    "keyring-missing": (
        ConfigError,
        "The key store is set to `keyring`, but the keyring library is not installed.",
        "Install it: `pip install 'litellm-key[keyring]'`, or keep the key in .env (`key_store: env`).",
    ),
    "keyring-locked": (
        ConfigError,
        "The OS credential store is locked and nothing could unlock it here ({detail}).",
        "Unlock your login keyring (log in to the desktop session; headless: `gnome-keyring-daemon --unlock` reads "
        "the password on stdin) and run this again, or keep the key in .env (`key_store: env`).",
    ),
    "keyring-absent": (
        ConfigError,
        "No OS credential store answers ({detail}).",
        "Install and start a Secret Service: `sudo apt-get install gnome-keyring dbus-user-session`, then log in "
        "again (headless: run the command under `dbus-run-session` after `gnome-keyring-daemon --unlock`); "
        "or keep the key in .env (`key_store: env`).",
    ),
    "keyring-failed": (
        ConfigError,
        "The OS credential store refused: {detail}",
        "Unlock the keychain / start the Secret Service (gnome-keyring, KWallet), or keep the key in .env (`key_store: env`).",
    ),
    "renewal-busy": (
        GatewayError,
        "Another litellm-key process is renewing the key right now.",
        "Wait a moment; the renewed key is picked up on the next call.",
    ),
    "session-token-in-workspace": (
        SafetyRefusal,
        "Refusing to store the session token in {path}: it is inside the workspace, where it could be committed or shared.",
        "Keep the default (~/.config/litellm-key/session-token) or choose --session-token-file outside {workspace}.",
    ),
    # --- proxy (nginx) ---------------------------------------------------------------------------
    "nginx-missing": (
        ProxyError,
        "nginx is not installed, and the proxy on {listen} needs it.",
        "Install it: `sudo apt-get install -y nginx-light` (or `nginx`; the Dev Container feature does this); "
        "set LITELLM_KEY_NGINX=/path/to/nginx if it is installed elsewhere, or use --no-proxy.",
    ),
    "nginx-config-invalid": (
        ProxyError,
        "nginx rejected the rendered proxy config; the running config was left as it was: {detail}",
        "Check the upstream, host_header and listen settings (`litellm-key proxy render` shows the config).",
    ),
    "proxy-port-busy": (
        ProxyError,
        "Port {port} is already in use{holder}, so the proxy cannot listen on {listen}.",
        "Stop that process, or choose another port: `listen: 127.0.0.1:8081` in .devcontainer/litellm-key.yaml.",
    ),
    "proxy-reload-port-busy": (
        ProxyError,
        "Port {port} is already in use{holder}, so the proxy cannot move to {listen}; "
        "the running nginx (pid {pid}) kept its previous config and still serves it.",
        "Stop that process, or choose another port: `listen: 127.0.0.1:8081` in .devcontainer/litellm-key.yaml.",
    ),
    "proxy-permission": (
        ProxyError,
        "nginx could not start: permission denied ({detail}).",
        "Use a port above 1024 and make sure {state_dir} is writable by you.",
    ),
    "upstream-unresolvable": (
        ProxyError,
        "The upstream host '{host}' does not resolve in this container, so nginx would refuse to start.",
        'On Linux Docker add "runArgs": ["--add-host=host.docker.internal:host-gateway"] to devcontainer.json '
        "and rebuild, or set `upstream` to an address that resolves.",
    ),
    "proxy-start-failed": (
        ProxyError,
        "nginx did not start: {detail}",
        "See {log}; `litellm-key proxy status` checks each hop.",
    ),
    "proxy-not-running": (
        ProxyError,
        "The proxy is not running (no nginx serves {config}).",
        "Start it: `litellm-key proxy start` (`setup` and `apply` start it too).",
    ),
    "proxy-orphaned": (
        ProxyError,
        "The proxy's nginx master is gone (killed?) but its workers (pid {pids}) still serve {listen} with no one to reload or stop them.",
        "Run `litellm-key proxy start`: it stops them and starts nginx again (`setup` and `apply` do too).",
    ),
    "proxy-not-answering": (
        ProxyError,
        "nginx runs (pid {pid}) but its health endpoint {url} does not answer.",
        "See {log}; `litellm-key proxy reload` renders the config again and reloads nginx.",
    ),
    "proxy-config-stale": (
        ProxyError,
        "The running proxy serves an older config than the current settings render.",
        "Run `litellm-key proxy reload`.",
    ),
    # --- client configs ---------------------------------------------------------------------------
    "not-a-file": (
        ConfigError,
        "{path} is {kind}, not a file, so litellm-key cannot write it; nothing was replaced.",
        "Move it away (`mv {path} {path}.moved`), then run the command again.",
    ),
    "shell-rc-not-a-file": (
        ConfigError,
        "Cannot add litellm-key's block to {path} ({detail}): new terminals will not export the key "
        f"for {ENVIRONMENT_CLIENTS_TEXT}.",
        "Move {path} away (or make it a file), then run `litellm-key apply`.",
    ),
    "client-config-malformed": (
        ConfigError,
        "{client}: {location}: {problem}; the file was left untouched and {client} was not {action}.",
        "Fix {location} (or move the file away), then run `litellm-key apply`.",
    ),
    # --- login (LiteLLM's CLI SSO) ------------------------------------------------------------
    "login-unsupported": (
        GatewayError,
        "{url} answered 404: this LiteLLM has no CLI SSO login (it is older than 1.84, or SSO is not configured).",
        "Ask your LiteLLM admin to upgrade to 1.84 or later and configure SSO, or paste a key with "
        "`litellm-key setup`.",
    ),
    "login-rate-limited": (
        GatewayError,
        "LiteLLM refused to start another login now (429 at {url}).",
        "Wait a minute, then run `litellm-key login` again.",
    ),
    "login-failed": (
        GatewayError,
        "LiteLLM's SSO login failed ({status}: {detail}).",
        "Look at the LiteLLM logs (`kubectl -n ai logs deploy/litellm`), then run `litellm-key login` again.",
    ),
    "login-forbidden": (
        KeyRejected,
        "LiteLLM refused to hand over the login: the poll secret does not match ({detail}).",
        "Start a new login: `litellm-key login`.",
    ),
    "login-request-expired": (
        KeyRejected,
        "The login expired or was already collected, so LiteLLM has nothing to hand over ({detail}).",
        "Start a new login, `litellm-key login`, and finish it in the browser within its time limit.",
    ),
    "login-timeout": (
        KeyRejected,
        "Nobody finished the login with code {user_code} in the browser before it expired.",
        "Run `litellm-key login` again and open the URL it prints in your browser on the host.",
    ),
    "login-team-required": (
        UsageError,
        "LiteLLM needs a team for this login, and there is no terminal to ask on. Teams: {teams}.",
        "Run again with the team, while the login lasts (no new sign-in): `litellm-key login --team {first_team}`.",
    ),
    "login-team-unknown": (
        UsageError,
        "Team '{team}' is not one of yours for this login. Teams: {teams}.",
        "Run again with one of them, while the login lasts (no new sign-in): `litellm-key login --team {first_team}`.",
    ),
    "login-no-team": (
        KeyRejected,
        "LiteLLM wants a team for the credential but lists none of yours, so it will not issue one.",
        "Ask your LiteLLM admin to add you to a team, then run `litellm-key login` again.",
    ),
    "login-expired": (
        KeyRejected,
        "The login credential {key} in {env_file} expired at {expires}.",
        "Get a new one: run `litellm-key login`.",
    ),
    # --- safety --------------------------------------------------------------------------------
    "master-key-stored": (
        SafetyRefusal,
        "The key {key} can call admin routes: it is the LiteLLM master key, which must never be stored in a container's .env.",
        "Generate a client key: `litellm-key keys generate` on the admin machine, then store that one with setup.",
    ),
    "env-tracked": (
        SafetyRefusal,
        "Refusing to write a key into {env_file}: the file is tracked by git and would be committed.",
        "Untrack it and keep it ignored: `git rm --cached {relpath} && echo {relpath} >> .gitignore`.",
    ),
    "env-not-ignored": (
        SafetyRefusal,
        "Refusing to write a key into {env_file}: git would still commit it (`{relpath}` stays "
        "un-ignored after a `/{relpath}` line in {gitignore}); nothing was written.",
        "git reads no .gitignore that is a symbolic link, and a deeper .gitignore with `!` wins: make "
        "{gitignore} a regular file or drop the `!` rule, or add `/{relpath}` to .git/info/exclude.",
    ),
    "client-key-file-exposed": (
        SafetyRefusal,
        "Refusing to write the key into {path} for {client}: the file behind it, {real}, is {exposure} "
        "and could be committed; {client} was not configured, the file is untouched.",
        "Add {real} to that repository's .gitignore (or `git rm --cached` it), or make {path} a regular file "
        "outside git; then run `litellm-key apply`.",
    ),
    "env-link-outside": (
        SafetyRefusal,
        "Refusing to write a key through {env_file}: it is a symbolic link to {target}, outside {top} "
        "(or in another git repository inside it), where litellm-key cannot make git ignore it.",
        "Point the link (or --env-file) at a file inside {top}, or replace the link with a regular file.",
    ),
    "choices-tracked": (
        SafetyRefusal,
        "Refusing to record setup's choices in {path}: the file is tracked by git, and these choices are yours alone.",
        "Untrack it and keep it ignored: `git rm --cached {relpath} && echo {relpath} >> .gitignore`; "
        "shared settings belong in .devcontainer/litellm-key.yaml.",
    ),
}


_ADMIN = "see docs/admin.md"

# Admin key management (`litellm-key keys ...`, on the admin's machine with the master key).
CATALOGUE.update(
    {
        "no-master-key": (
            UsageError,
            "No master key: there is no terminal to prompt on and no master key was given.",
            "Set LITELLM_MASTER_KEY in the environment, or pass --from-k8s to read it from the Kubernetes secret.",
        ),
        "master-key-malformed": (
            UsageError,
            "The master key is empty or contains whitespace or control characters.",
            "Copy it again, e.g. `litellm-key keys list --from-k8s` reads it from the cluster.",
        ),
        "master-key-rejected": (
            KeyRejected,
            "LiteLLM rejected the master key: {detail}",
            "Use the current master key: `--from-k8s` reads it from the cluster, or check LITELLM_MASTER_KEY.",
        ),
        "kubectl-missing": (
            ConfigError,
            "kubectl is not installed (or not on PATH), and {purpose} needs it.",
            "Install kubectl and select the cluster's context, or set LITELLM_MASTER_KEY and use --url.",
        ),
        "kube-no-context": (
            ConfigError,
            "kubectl cannot reach a cluster ({detail}).",
            "Select the cluster: `kubectl config use-context NAME` (`kubectl config get-contexts` lists them).",
        ),
        "kube-secret-missing": (
            ConfigError,
            "Kubernetes has no {what} ({detail}).",
            "Check the `master_key_secret` setting (namespace/secret/field, now {spec}): "
            "`kubectl get secret -n NAMESPACE` lists the secrets.",
        ),
        "port-forward-failed": (
            GatewayError,
            "`{command}` exited ({detail}) before the port answered.",
            "Check the service and namespace (`kubectl get svc -n ai`) and the `port_forward` setting, or use --url.",
        ),
        "port-forward-port-taken": (
            GatewayError,
            "127.0.0.1:{port} is already taken, so `{command}` cannot listen there; nothing was sent to it.",
            "Stop what listens there (an earlier `kubectl port-forward` left running?), choose another local "
            "port in the `port_forward` setting, or use --url to talk to what listens there on purpose.",
        ),
        "port-forward-timeout": (
            GatewayError,
            "`{command}` did not open 127.0.0.1:{port} within {timeout} s; it was stopped.",
            "Check the LiteLLM pod is running (`kubectl get pods -n ai`), or use --url.",
        ),
        "admin-no-db": (
            GatewayError,
            "This LiteLLM has no database: virtual keys need one ({detail}).",
            "Connect LiteLLM to Postgres (DATABASE_URL in its deployment), then retry.",
        ),
        "admin-answer-no-key": (
            GatewayError,
            "LiteLLM's answer at {url} holds no usable key ({problem}); nothing was written or shown.",
            "Check that the admin URL is LiteLLM (its logs: `kubectl -n ai logs deploy/litellm`); a key it may have made "
            "without handing it over shows in `litellm-key keys list`, to delete.",
        ),
        "master-key-handed-over": (
            SafetyRefusal,
            "{source} handed over the master key {key} as a new client key; it was not written or shown.",
            "Check that the admin URL reaches LiteLLM itself, not something in between that answers for it, then "
            "generate again (`litellm-key keys generate`).",
        ),
        "admin-alias-taken": (
            SafetyRefusal,
            "A key with the alias '{alias}' already exists; a second one would be ambiguous.",
            "Replace it with `litellm-key keys rotate {alias}`, or choose another --developer name.",
        ),
        "admin-model-unknown": (
            ModelAccessError,
            "The gateway does not serve {models}; a key for them would be refused on every request.",
            "{suggestion}The gateway serves: {available}.",
        ),
        "admin-key-not-found": (
            KeyRejected,
            "LiteLLM has no key '{key}'.",
            "`litellm-key keys list` shows the aliases and masked keys.",
        ),
        "admin-bad-duration": (
            UsageError,
            "'{value}' is not a duration.",
            "Use a number and a unit: 30s, 15m, 12h, 30d, 2w or 1mo.",
        ),
        "admin-date-range": (
            UsageError,
            "Daily activity needs both --start and --end as YYYY-MM-DD (got {start} to {end}).",
            "e.g. `litellm-key keys spend --start 2026-11-01 --end 2026-11-30`.",
        ),
        "admin-key-unverified": (
            ModelAccessError,
            "The new key {key} did not pass verification ({detail}); it was deleted and {alias} keeps working.",
            "Check the models with `litellm-key keys info {alias}` and retry.",
        ),
        "rotate-delete-failed": (
            GatewayError,
            "The new key works (alias {temporary}), but deleting the old key failed: {detail}",
            "Delete the old key, then give the new one its alias: `{cleanup}`.",
        ),
        "rotate-rename-failed": (
            GatewayError,
            "The old key is deleted and the new one works (alias {temporary}), but giving it the alias {alias} failed: {detail}",
            "Give the new key its alias: `{cleanup}`.",
        ),
        "admin-delete-unconfirmed": (
            GatewayError,
            "LiteLLM answered the delete without confirming {remaining}: they may still work (confirmed deleted: {deleted}).",
            "Check with `litellm-key keys list`, then delete what is left again: `litellm-key keys delete --yes NAME`.",
        ),
        "roster-invalid": (
            ConfigError,
            "{source}: {problem}.",
            "A roster is YAML (a list of {{name: ...}}) or CSV with a `name` column; " + _ADMIN + ".",
        ),
        "confirm-needed": (
            UsageError,
            "{action} needs a confirmation, and there is no terminal to ask on.",
            "Pass --yes to confirm on the command line.",
        ),
        "onboard-incomplete": (
            GatewayError,
            "{failed} of {total} key(s) could not be created (the PROBLEM column says why).",
            "Fix the cause, then run the same `litellm-key keys onboard {roster} …` again: it creates only the missing keys.",
        ),
        "keys-audit-findings": (
            SafetyRefusal,
            "The audit found {count} problem(s) in {keys} key(s).",
            "Fix them with `litellm-key keys rotate|delete|block`; docs/admin.md explains each finding.",
        ),
    }
)


def fail(reason: str, **details: object) -> LitellmKeyError:
    """Build the catalogued error for `reason`; raise the result."""
    error_class, message, fix = CATALOGUE[reason]
    return error_class(reason, message.format(**details), fix.format(**details))
