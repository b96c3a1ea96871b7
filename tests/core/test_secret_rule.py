"""Profiles that cannot work without a client secret are refused at import (the CLI's and the
editor's), the field named; what an edit costs in tokens; the redirect URI to register."""

from __future__ import annotations

import dataclasses

import pytest

from musicauth_gui.core.engine import TokenEngine
from musicauth_gui.core.errors import ConfigError
from musicauth_gui.core.model import ProfileRecord, TokenSet
from musicauth_gui.core.oauth.loopback import redirect_to_register
from musicauth_gui.core.presets import get_preset
from musicauth_gui.core.profiles_file import parse_profile, secret_problem
from musicauth_gui.core.secret import Secret


@pytest.mark.parametrize(
    ("table", "refused"),
    [
        ({"provider": "spotify", "flow": "client_credentials", "client_id": "c"}, True),
        ({"provider": "oauth2", "flow": "client_credentials", "client_id": "c", "token_endpoint": "https://x/t"}, True),
        ({"provider": "musixmatch", "flow": "authorization_code", "client_id": "c"}, True),  # its default: post
        ({"provider": "spotify", "client_id": "c", "token_endpoint_auth_method": "client_secret_basic"}, True),
        ({"provider": "spotify", "client_id": "c"}, False),  # a public client: PKCE alone
        ({"provider": "musixmatch", "client_id": "c", "token_endpoint_auth_method": "none"}, False),
        ({"provider": "spotify", "flow": "client_credentials", "client_id": "c", "client_secret": "s"}, False),
    ],
)
def test_the_rule(table, refused) -> None:  # type: ignore[no-untyped-def]
    item = parse_profile("p", table)  # the parser itself accepts it: a stored secret may be kept
    problem = secret_problem(get_preset(table["provider"]), item.profile, has_secret=item.client_secret is not None)
    assert (problem is not None) == refused
    if problem is not None:
        assert problem.field == "client_secret" and problem.profile == "p"


async def test_import_refuses_it_and_saves_nothing() -> None:
    engine = TokenEngine.in_memory()
    good = parse_profile("good", {"provider": "spotify", "client_id": "c"})
    bad = parse_profile("app", {"provider": "spotify", "flow": "client_credentials", "client_id": "c"})
    with pytest.raises(ConfigError) as caught:
        await engine.import_profiles([good, bad])
    assert caught.value.field == "client_secret" and caught.value.profile == "app"
    assert await engine.profile_names() == []  # the file imports whole or not at all


async def test_a_stored_secret_still_counts() -> None:
    engine = TokenEngine.in_memory()
    table = {"provider": "spotify", "flow": "client_credentials", "client_id": "c"}
    await engine.import_profiles([parse_profile("app", {**table, "client_secret": "s3cret"})])
    assert await engine.has_client_secret("app")
    await engine.import_profiles([parse_profile("app", table)])  # docs/cli.md: import keeps it
    assert await engine.has_client_secret("app")
    assert not await engine.has_client_secret("nobody")


def test_edit_drops_tokens_follows_the_import_rule() -> None:
    profile = parse_profile("p", {"provider": "spotify", "client_id": "c"}).profile
    token = TokenSet(access_token=Secret("at-value"), expires_at=2e9)
    record = ProfileRecord(profile=profile, client_secret=None, token=token)
    moved = dataclasses.replace(profile, token_endpoint="https://example.com/token")
    rescoped = dataclasses.replace(profile, scopes=("user-read-email",))
    assert TokenEngine.edit_drops_tokens(record, moved)
    assert not TokenEngine.edit_drops_tokens(record, rescoped)
    assert not TokenEngine.edit_drops_tokens(dataclasses.replace(record, token=None), moved)  # nothing to lose


def test_redirect_to_register() -> None:
    unset = redirect_to_register(None)
    assert (unset.register, unset.listening, unset.pinned) == (
        "http://127.0.0.1/callback",
        "http://127.0.0.1:<port>/callback",
        False,
    )
    assert redirect_to_register("http://[::1]/cb").listening == "http://[::1]:<port>/cb"
    pinned = redirect_to_register("http://127.0.0.1:8765/callback")
    assert pinned.register == pinned.listening == "http://127.0.0.1:8765/callback" and pinned.pinned
    with pytest.raises(ConfigError):
        redirect_to_register("http://localhost:8765/callback")
