"""The `setup` and `apply` flows, each in one call: start the proxy, get the key, verify it, store
it, configure the clients, record the choices. The order is the product's promise ("loses
nothing"), so it lives here once rather than in the commands: a git-tracked .env is refused before
anything is asked, the proxy runs before a verification goes through it, a new key is verified
before it replaces the old one, and the choices are recorded even when a client config fails.

Lines are reported through the `Progress` the command hands in, between the steps; the questions
a person answers come in as callables, so the command alone decides whether anyone is asked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..clients import ClientChange
from ..envfile import KEY_VARIABLE, ensure_gitignored
from ..errors import GatewayError, LitellmKeyError, SafetyRefusal, fail
from ..gateway import Verification, verify
from ..secret import ClientKey
from ..settings import Settings
from ..settings_files import record_choices, recorded_choices_path
from . import step_report
from .client_setup import configure_clients
from .key_store import key_store
from .progress import Progress
from .verification import login_expiry_warning, master_key_warning, record_expiry

if TYPE_CHECKING:
    from ..portal import SessionToken


class Prompts(NamedTuple):
    """The questions setup may ask a person at a terminal (the command's prompts)."""

    confirm: Callable[[str], bool]
    paste_key: Callable[[], ClientKey]  # the hidden prompt, asked again after a bad paste
    session_token: Callable[[str], "SessionToken"]


class KeySource(NamedTuple):
    """Where setup takes the key from: the flags, stdin read only when it is the source, and the
    prompts, None when nobody can answer (no terminal, --no-input)."""

    from_portal: bool
    key_stdin: bool
    read_stdin: Callable[[], str]
    prompts: Prompts | None


class SetUp(NamedTuple):
    """What `setup` did, for the command to render as text or --json."""

    key: ClientKey
    source: str
    proxy: str | None
    env_changed: bool
    client_changes: list[ClientChange]
    recorded_choices: tuple[str, ...]
    verification: Verification | None


class Applied(NamedTuple):
    """What `apply` did; key None when there was none to apply (nothing else was done)."""

    key: ClientKey | None
    proxy: str | None
    client_changes: list[ClientChange]
    verification: Verification | None


def _warn_unless_virtual(key: ClientKey, progress: Progress) -> None:
    if not key.looks_virtual:
        progress.warn(f"{key.mask()} does not start with sk-: LiteLLM virtual keys do.")


def obtain_key(settings: Settings, source: KeySource, progress: Progress) -> tuple[ClientKey, str]:
    """The key to set up and where it came from: the portal, stdin, environment, prompt, or the stored one."""
    prompts = source.prompts
    if source.from_portal:
        from .renewal import key_from_portal

        return key_from_portal(settings, progress, ask=prompts.session_token if prompts else None), "the key portal"
    if source.key_stdin:
        line = source.read_stdin()
        if not line.strip():
            raise fail("empty-stdin")
        key = ClientKey.parse(line)
        _warn_unless_virtual(key, progress)
        return key, "stdin"
    current = step_report.replaceable_key(progress, key_store(settings))
    from_environment = os.environ.get(KEY_VARIABLE, "")
    # A shell that ran `eval "$(litellm-key env)"` exports the stored key: that is no new key.
    if from_environment.strip() and ClientKey.parse(from_environment) != current:
        key = ClientKey.parse(from_environment)
        _warn_unless_virtual(key, progress)
        return key, f"the {KEY_VARIABLE} environment variable"
    if prompts is None:
        if current is None:
            raise fail("no-key-source")
        return current, "the stored key"
    if current is not None and not prompts.confirm(f"A key is stored ({current.mask()}). Replace it?"):
        return current, "the stored key"
    return prompts.paste_key(), "the prompt"


def _guard_choices(settings: Settings, choices: Mapping[str, object]) -> str | None:
    """Before anything is asked: the recorded choices must stay out of git, like .env."""
    if not choices:
        return None
    path = recorded_choices_path(settings.workspace)
    try:
        return ensure_gitignored(path)
    except SafetyRefusal as error:
        if error.reason != "env-tracked":
            raise
        raise fail("choices-tracked", path=path, relpath=path.relative_to(settings.workspace).as_posix()) from None


def set_up(
    settings: Settings, source: KeySource, progress: Progress, *, verify_key: bool, choices: Mapping[str, object]
) -> SetUp:
    """`setup`: get a key, verify it, store it, configure the clients and record `choices` (the
    flags to restore after a rebuild). Raises the first client failure after the rest is done."""
    gitignore_change = ensure_gitignored(settings.env_file)
    choices_gitignore_change = _guard_choices(settings, choices)
    # Before verifying, which goes through the proxy; for --from-portal before the key is fetched,
    # as the portal's key is verified there (in a fresh container the proxy is not running yet).
    if source.from_portal:
        proxy_outcome = step_report.start_proxy(settings, progress)
    key, key_from = obtain_key(settings, source, progress)
    progress.ok(f"key {key.mask()} from {key_from}")
    if not source.from_portal:
        proxy_outcome = step_report.start_proxy(settings, progress)

    verification: Verification | None = None
    if not verify_key:
        progress.warn("not verified (--no-verify): run `litellm-key status` once LiteLLM is reachable")
    else:
        progress.step(f"checking the key against {settings.base_url}/v1/models")
        verification = verify(
            settings.base_url, key, required_models=settings.models, timeout=settings.timeout, check_role=True
        )
        step_report.verified(progress, key, verification)
        step_report.notice(progress, master_key_warning(key, verification))

    for change in (gitignore_change, choices_gitignore_change):
        if change:
            progress.info(change)
    expires = verification.info.expires if verification and verification.info else None
    changed = step_report.stored(progress, key_store(settings).save(key, expires=expires))
    client_failure: LitellmKeyError | None = None
    try:
        client_changes = step_report.client_setup(progress, configure_clients(settings, key))
    except LitellmKeyError as error:  # a malformed client config: the others are configured, the key stored
        client_failure, client_changes = error, []
    if choices:  # in effect once the key is stored, so a rebuild restores them even after a client failure
        unchanged = "" if record_choices(settings.workspace, dict(choices)) else ", unchanged"
        where = recorded_choices_path(settings.workspace)
        progress.ok(f"recorded {', '.join(choices)} in {where} for rebuilds{unchanged}")
    if client_failure:
        raise client_failure
    return SetUp(key, key_from, proxy_outcome, changed, client_changes, tuple(sorted(choices)), verification)


def _verify_unless_offline(settings: Settings, key: ClientKey, progress: Progress) -> Verification | None:
    try:
        verification = verify(settings.base_url, key, required_models=settings.models, timeout=settings.timeout)
    except GatewayError as error:
        progress.warn(f"could not verify the key now: {error.message}", error.fix)
        return None
    step_report.verified(progress, key, verification)
    record_expiry(settings, key, verification)
    return verification


def apply(settings: Settings, progress: Progress) -> Applied:
    """`apply`: restore the proxy and the clients from the stored key (renewed first when due and
    a portal is set), then verify it; offline is a warning. Never asks anything."""
    store = key_store(settings)
    key = store.load()
    if key is None:
        progress.warn(f"no LiteLLM client key in {settings.env_file} yet: run config-claude-code.sh to set one up")
        return Applied(None, None, [], None)

    step_report.notice(progress, login_expiry_warning(settings, key))
    proxy_outcome = step_report.start_proxy(settings, progress)
    if settings.portal_url:  # renewal brings the portal client along: only load it when it can act
        from .renewal import renew_on_start

        key = renew_on_start(settings, key, progress)  # after the proxy: verification goes through it
    store.record_base_url()
    client_failure: LitellmKeyError | None = None
    try:
        client_changes = step_report.client_setup(progress, configure_clients(settings, key))
    except LitellmKeyError as error:  # still verify: the other clients were configured
        client_failure, client_changes = error, []
    verification = _verify_unless_offline(settings, key, progress)
    if client_failure:
        raise client_failure
    return Applied(key, proxy_outcome, client_changes, verification)
