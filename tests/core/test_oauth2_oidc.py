"""The generic oauth2 preset against a real OpenID provider (node oidc-provider), found by
discovery: sign-in through the real CLI with a stand-in browser, refresh with rotation,
introspection, sign-out with revocation."""

from __future__ import annotations

import httpx
import pytest

from tests.support.cli import assert_one_clean_line, browser_env, musicauth, stored_record
from tests.support.oidc_provider import run_oidc_provider

pytestmark = pytest.mark.oidc


@pytest.fixture(scope="module")
def oidc():  # type: ignore[no-untyped-def]
    with run_oidc_provider(access_token_ttl=600) as provider:
        yield provider


def write_profile(tmp_path, oidc, name: str = "any", client: str | None = None, method: str | None = None) -> None:  # type: ignore[no-untyped-def]
    lines = [
        f"[profiles.{name}]",
        'provider = "oauth2"',
        'flow = "authorization_code"',
        f'client_id = "{client or oidc.client_id}"',
        f'client_secret = "{oidc.client_secret}"',
        'scopes = ["openid", "offline_access", "profile"]',
        f'issuer = "{oidc.issuer}"',
    ]
    if method:
        lines.append(f'token_endpoint_auth_method = "{method}"')
    (tmp_path / "p.toml").write_text("\n".join(lines) + "\n")
    result = musicauth("profile", "import", str(tmp_path / "p.toml"))
    assert result.returncode == 0, result.stderr


def test_sign_in_refresh_introspect_against_a_real_openid_provider(tmp_path, oidc) -> None:  # type: ignore[no-untyped-def]
    write_profile(tmp_path, oidc)
    login = musicauth("login", "any", env=browser_env())
    assert login.returncode == 0, login.stderr
    first = stored_record("any")["token"]
    assert first["refresh_token"] and first["expires_at"] - first["issued_at"] == pytest.approx(600, abs=2)

    token = musicauth("token", "any")
    assert token.returncode == 0 and token.stdout.strip() == first["access_token"]

    refreshed = musicauth("refresh", "any")
    assert refreshed.returncode == 0, refreshed.stderr
    second = stored_record("any")["token"]
    assert second["refresh_token"] != first["refresh_token"]  # rotated, and the newest kept
    assert second["access_token"] != first["access_token"]

    introspected = musicauth("introspect", "any")
    assert introspected.returncode == 0, introspected.stderr
    assert '"sub": "test-user-1"' in introspected.stdout
    assert '"active": true' in introspected.stdout

    # The provider really rotated: the first refresh token is dead there.
    with httpx.Client() as client:
        meta = client.get(oidc.discovery_url).json()
        dead = client.post(
            meta["token_endpoint"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": first["refresh_token"],
                "client_id": oidc.client_id,
                "client_secret": oidc.client_secret,
            },
        )
    assert dead.json()["error"] == "invalid_grant"
    # ...and replaying it revoked the grant (OAuth 2.1 replay detection): we now need sign-in,
    # said in one line, with the stored refresh token kept for the record.
    again = musicauth("refresh", "any")
    assert_one_clean_line(again, "needs sign-in", "musicauth login any")
    assert again.returncode == 3
    assert stored_record("any")["token"]["refresh_token"] == second["refresh_token"]


def test_client_secret_basic_and_sign_out_revokes(tmp_path, oidc) -> None:  # type: ignore[no-untyped-def]
    write_profile(tmp_path, oidc, name="basic", client=oidc.basic_client_id, method="client_secret_basic")
    assert musicauth("login", "basic", env=browser_env()).returncode == 0
    access = stored_record("basic")["token"]["access_token"]
    out = musicauth("logout", "basic", "--no-browser")
    assert out.returncode == 0, out.stderr
    assert "revoked" in out.stderr
    assert stored_record("basic")["token"] is None
    with httpx.Client() as client:
        meta = client.get(oidc.discovery_url).json()
        answer = client.post(
            meta["introspection_endpoint"],
            data={"token": access},
            auth=(oidc.basic_client_id, oidc.client_secret),
        ).json()
    assert answer == {"active": False}


def test_refused_consent_is_one_clean_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with run_oidc_provider(deny=True) as denying:
        write_profile(tmp_path, denying, name="deny")
        result = musicauth("login", "deny", env=browser_env())
    assert_one_clean_line(result, "access_denied", "nothing was stored")
    assert stored_record("deny")["token"] is None
