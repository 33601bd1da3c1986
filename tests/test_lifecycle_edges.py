"""Edges of the key's life found while probing: `setup --from-portal` in a fresh container (no proxy
running yet), and a portal whose keys live shorter than the renewal margin."""

from __future__ import annotations

import pytest

from conftest import GOOD_KEY
from proxy_helpers import needs_nginx
from conftest import env_value, in_hours, store


@needs_nginx[0]
@needs_nginx[1]
def test_setup_from_portal_starts_the_proxy_before_it_verifies_the_portals_key(pcli, workspace, portal, standin, proxy_env):
    result = pcli("setup", "--from-portal", env=proxy_env)

    assert result.returncode == 0, result.output
    assert "proxy started" in result.stdout
    assert result.stdout.index("proxy started") < result.stdout.index("asking the key portal")
    assert portal.posts == 1 and env_value(workspace, "LITELLM_API_KEY") == portal.current


def test_token_renews_a_portals_short_lived_key_once_per_lifetime_and_says_why_once(pcli, workspace, portal, standin):
    portal.new_key_expires = in_hours(0.5)  # the portal's keys live 30 min, the helper renews 60 min ahead
    standin.keys[GOOD_KEY].expires = in_hours(0.5)
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, in_hours(0.5))

    calls = [pcli("token") for _ in range(4)]

    assert portal.posts == 1, "every call asked the portal for another key"
    assert all(call.returncode == 0 and call.stdout == f"{portal.current}\n" for call in calls)
    said = [call for call in calls if "renewed once, when half its life is over" in call.stderr]
    assert said == calls[:1]


def test_apply_does_not_renew_a_short_lived_key_it_just_renewed(pcli, workspace, portal, standin):
    portal.new_key_expires = in_hours(2)  # shorter than renew_before (1 day)
    store(workspace, GOOD_KEY, "2021-06-01T00:00:00Z")
    standin.keys[GOOD_KEY].expires = "2021-06-01T00:00:00Z"

    first = pcli("apply")
    second = pcli("apply")
    due_again = pcli("apply", env={"LITELLM_RENEW_BEFORE": "3h"})  # 2 h left > 1 h, half the key's life

    assert first.returncode == 0 and second.returncode == 0 and due_again.returncode == 0, second.output
    assert portal.posts == 1
    assert "renewed once, when half its life is over" in first.stderr
    assert env_value(workspace, "LITELLM_API_KEY") == portal.current


@pytest.mark.parametrize("hours_left, posts", [(0.2, 2), (0.4, 1)], ids=["past-half-life", "before-half-life"])
def test_a_short_lived_key_is_renewed_once_half_its_life_is_over(pcli, workspace, portal, standin, hours_left, posts):
    portal.new_key_expires = in_hours(0.5)
    standin.keys[GOOD_KEY].expires = in_hours(0.5)
    portal.current = GOOD_KEY
    store(workspace, GOOD_KEY, in_hours(0.5))
    assert pcli("token").returncode == 0 and portal.posts == 1
    renewed = portal.current
    store(workspace, renewed, in_hours(hours_left))  # the same key, later in its 30-minute life

    result = pcli("token")

    assert result.returncode == 0 and portal.posts == posts, result.output
