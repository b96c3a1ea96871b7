"""The generic strict authorization server, over real HTTP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest

from musicauth_gui.sandbox import AuthorizationServer

from .conftest import SECRET
from .helpers import REDIRECT, authorize, basic, get_code, location_params, pkce_pair, post_form


def redeem(http: httpx.Client, server: AuthorizationServer, code: str, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **extra}
    return post_form(http, server, server.token_path, data, headers={"Authorization": basic("conf", SECRET)})


def refresh(http: httpx.Client, server: AuthorizationServer, token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token}
    return post_form(http, server, server.token_path, data, headers={"Authorization": basic("conf", SECRET)})


def sign_in(http: httpx.Client, server: AuthorizationServer) -> dict[str, object]:
    response = redeem(http, server, get_code(http, server, "conf", scope="read"))
    assert response.status_code == 200, response.text
    return dict(response.json())


# -- authorization endpoint -----------------------------------------------------------------------


def test_unknown_client_is_an_error_page_not_a_redirect(http: httpx.Client, generic: AuthorizationServer) -> None:
    response = authorize(http, generic, response_type="code", client_id="nobody", redirect_uri=REDIRECT)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "location" not in response.headers


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:53682/other",
        "http://127.0.0.1:53682/callback/",
        "http://localhost:53682/callback",
        "https://127.0.0.1:53682/callback",
        "http://127.0.0.2:53682/callback",
        "http://evil@127.0.0.1:53682/callback",
        None,
    ],
)
def test_redirect_mismatch_is_an_error_page(
    http: httpx.Client, generic: AuthorizationServer, redirect_uri: str | None
) -> None:
    response = authorize(http, generic, response_type="code", client_id="conf", redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "location" not in response.headers


def test_loopback_matches_any_port_but_only_when_allowed(http: httpx.Client, generic: AuthorizationServer) -> None:
    for uri in ("http://127.0.0.1:1/callback", "http://127.0.0.1:65535/callback", "http://127.0.0.1/callback"):
        assert location_params(authorize(http, generic, response_type="code", client_id="conf", redirect_uri=uri))
    generic.register_client("fixed", SECRET, redirect_uris=["http://[::1]:9000/cb"], loopback_any_port=False)
    ok = authorize(http, generic, response_type="code", client_id="fixed", redirect_uri="http://[::1]:9000/cb")
    assert "code" in location_params(ok)
    wrong = authorize(http, generic, response_type="code", client_id="fixed", redirect_uri="http://[::1]:9001/cb")
    assert wrong.status_code == 400


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"code_challenge": pkce_pair()[1], "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": pkce_pair()[1], "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "too-short", "code_challenge_method": "S256"}, "invalid_request"),
        ({"code_challenge_method": "S256"}, "invalid_request"),
    ],
)
def test_authorization_errors_redirect_with_state(
    http: httpx.Client, generic: AuthorizationServer, params: dict[str, str | None], error: str
) -> None:
    query = {"response_type": "code", "client_id": "conf", "redirect_uri": REDIRECT, "state": "s-1", **params}
    response = authorize(http, generic, **query)
    assert response.headers["location"].startswith(REDIRECT + "?")
    params = location_params(response)
    assert (params.pop("error"), params.pop("state"), set(params)) == (error, "s-1", {"error_description"})


def test_state_and_pkce_requirements(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.state_required = True
    no_state = authorize(http, generic, response_type="code", client_id="conf", redirect_uri=REDIRECT)
    assert location_params(no_state)["error"] == "invalid_request"
    generic.pkce_required = True
    no_pkce = authorize(http, generic, response_type="code", client_id="conf", redirect_uri=REDIRECT, state="s")
    assert location_params(no_pkce)["error"] == "invalid_request"


def test_public_client_needs_pkce(http: httpx.Client, generic: AuthorizationServer) -> None:
    response = authorize(http, generic, response_type="code", client_id="public", redirect_uri=REDIRECT)
    assert location_params(response)["error"] == "invalid_request"


def test_required_scopes(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.required_scopes = ("profile", "email")
    response = authorize(
        http, generic, response_type="code", client_id="conf", redirect_uri=REDIRECT, scope="profile", state="s"
    )
    params = location_params(response)
    assert (params["error"], params["error_description"]) == ("invalid_scope", "Missing required scope: email")


def test_redirect_keeps_an_existing_query(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.register_client("q", SECRET, redirect_uris=["https://app.example/cb?tenant=7"])
    response = authorize(
        http, generic, response_type="code", client_id="q", redirect_uri="https://app.example/cb?tenant=7", state="s"
    )
    params = location_params(response)
    assert params["tenant"] == "7" and params["state"] == "s" and params["code"]


def test_consent_deny(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.consent = "deny"
    response = authorize(http, generic, response_type="code", client_id="conf", redirect_uri=REDIRECT, state="s-9")
    assert response.status_code == 302
    assert response.headers["location"] == (
        REDIRECT + "?error=access_denied&error_description=The+user+denied+access&state=s-9"
    )


def test_consent_mode_is_validated(generic: AuthorizationServer) -> None:
    with pytest.raises(ValueError):
        generic.consent = "maybe"


@pytest.mark.parametrize(("decision", "outcome"), [("approve", "code"), ("deny", "error")])
def test_interactive_consent_round_trip(
    http: httpx.Client, generic: AuthorizationServer, decision: str, outcome: str
) -> None:
    generic.consent = "interactive"
    page = authorize(
        http, generic, response_type="code", client_id="conf", redirect_uri=REDIRECT, scope="read <b>", state="s"
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "conf" in page.text and "&lt;b&gt;" in page.text and "<b>" not in page.text
    form_action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert form_action and request_id
    data = {"request_id": request_id.group(1), "decision": decision}
    response = http.post(generic.url(form_action.group(1)), data=data)
    assert response.status_code == 303
    params = location_params(response)
    assert outcome in params and params["state"] == "s"
    if decision == "approve":
        assert redeem(http, generic, params["code"]).status_code == 200
    # The pending request is answered once only.
    assert http.post(generic.url(form_action.group(1)), data=data).status_code == 400


# -- codes ----------------------------------------------------------------------------------------


def test_code_exchange(http: httpx.Client, generic: AuthorizationServer) -> None:
    tokens = sign_in(http, generic)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == "read"
    assert generic.is_access_token_active(str(tokens["access_token"]))
    assert generic.is_refresh_token_active(str(tokens["refresh_token"]))
    assert generic.issued_count("authorization_code") == 1


def test_token_answers_are_not_cached(http: httpx.Client, generic: AuthorizationServer) -> None:
    ok = redeem(http, generic, get_code(http, generic, "conf"))
    bad = redeem(http, generic, "nope")
    for response in (ok, bad):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-type"] == "application/json"


def test_code_reuse_fails_and_revokes_its_tokens(http: httpx.Client, generic: AuthorizationServer) -> None:
    code = get_code(http, generic, "conf")
    tokens = redeem(http, generic, code).json()
    again = redeem(http, generic, code)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert not generic.is_access_token_active(tokens["access_token"])
    assert not generic.is_refresh_token_active(tokens["refresh_token"])


def test_code_expires_after_60_seconds(http: httpx.Client, generic: AuthorizationServer) -> None:
    now = generic.clock()
    code = get_code(http, generic, "conf")
    generic.clock = lambda: now + 61
    assert redeem(http, generic, code).json()["error"] == "invalid_grant"


def test_code_is_bound_to_the_client(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.register_client("other", SECRET, redirect_uris=["http://127.0.0.1/callback"])
    code = get_code(http, generic, "other")
    assert redeem(http, generic, code).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("redirect_uri", ["http://127.0.0.1:53683/callback", "http://127.0.0.1/callback", None])
def test_token_redirect_uri_must_equal_the_authorize_one(
    http: httpx.Client, generic: AuthorizationServer, redirect_uri: str | None
) -> None:
    code = get_code(http, generic, "conf")
    data = {"grant_type": "authorization_code", "code": code}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    response = post_form(http, generic, generic.token_path, data, headers={"Authorization": basic("conf", SECRET)})
    assert response.json()["error"] == ("invalid_request" if redirect_uri is None else "invalid_grant")


# -- PKCE -----------------------------------------------------------------------------------------


def test_pkce_public_client(http: httpx.Client, generic: AuthorizationServer) -> None:
    verifier, challenge = pkce_pair()
    code = get_code(http, generic, "public", challenge=challenge)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": "public"}
    response = post_form(http, generic, generic.token_path, {**data, "code_verifier": verifier})
    assert response.status_code == 200, response.text
    rt = response.json()["refresh_token"]
    again = post_form(
        http, generic, generic.token_path, {"grant_type": "refresh_token", "refresh_token": rt, "client_id": "public"}
    )
    assert again.status_code == 200


@pytest.mark.parametrize(
    "verifier",
    [None, pkce_pair()[0], "x" * 42, "x" * 129, "x" * 50 + "!"],
    ids=["missing", "other", "short", "long", "bad-char"],
)
def test_pkce_wrong_verifier_rejected(http: httpx.Client, generic: AuthorizationServer, verifier: str | None) -> None:
    _, challenge = pkce_pair()
    code = get_code(http, generic, "conf", challenge=challenge)
    extra = {"code_verifier": verifier} if verifier is not None else {}
    response = redeem(http, generic, code, **extra)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_pkce_verifier_without_challenge_rejected(http: httpx.Client, generic: AuthorizationServer) -> None:
    code = get_code(http, generic, "conf")
    assert redeem(http, generic, code, code_verifier=pkce_pair()[0]).json()["error"] == "invalid_grant"


def test_pkce_rfc7636_appendix_b(http: httpx.Client, generic: AuthorizationServer) -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    code = get_code(http, generic, "conf", challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert redeem(http, generic, code, code_verifier=verifier).status_code == 200


# -- token endpoint strictness --------------------------------------------------------------------


def test_wrong_content_type_rejected(http: httpx.Client, generic: AuthorizationServer) -> None:
    code = get_code(http, generic, "conf")
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    response = http.post(generic.url(generic.token_path), json=body, headers={"Authorization": basic("conf", SECRET)})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


def test_repeated_parameter_rejected(http: httpx.Client, generic: AuthorizationServer) -> None:
    response = http.post(
        generic.url(generic.token_path),
        content=b"grant_type=client_credentials&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic("conf", SECRET)},
    )
    assert response.json()["error"] == "invalid_request"


def test_unknown_and_unauthorized_grants(http: httpx.Client, generic: AuthorizationServer) -> None:
    auth = {"Authorization": basic("conf", SECRET)}
    unknown = post_form(http, generic, generic.token_path, {"grant_type": "password"}, headers=auth)
    assert (unknown.status_code, unknown.json()["error"]) == (400, "unsupported_grant_type")
    generic.register_client("code-only", SECRET, grant_types=["authorization_code"])
    auth = {"Authorization": basic("code-only", SECRET)}
    refused = post_form(http, generic, generic.token_path, {"grant_type": "client_credentials"}, headers=auth)
    assert (refused.status_code, refused.json()["error"]) == (400, "unauthorized_client")


def test_client_authentication(http: httpx.Client, generic: AuthorizationServer) -> None:
    def cc(data: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
        return post_form(
            http, generic, generic.token_path, {"grant_type": "client_credentials", **data}, headers=headers
        )

    assert cc({}, {"Authorization": basic("conf", SECRET)}).status_code == 200
    assert cc({"client_id": "conf", "client_secret": SECRET}).status_code == 200
    wrong_basic = cc({}, {"Authorization": basic("conf", "nope")})
    assert (wrong_basic.status_code, wrong_basic.json()["error"]) == (401, "invalid_client")
    assert wrong_basic.headers["www-authenticate"].startswith("Basic")
    wrong_post = cc({"client_id": "conf", "client_secret": "nope"})
    assert (wrong_post.status_code, wrong_post.json()["error"]) == (401, "invalid_client")
    assert cc({"client_id": "conf"}).status_code == 401  # missing secret
    assert cc({}).status_code == 401  # no client at all
    assert cc({"client_secret": SECRET}, {"Authorization": basic("conf", SECRET)}).json()["error"] == "invalid_request"
    assert cc({}, {"Authorization": "Basic not-base64!"}).status_code == 401
    assert generic.issued_count("client_credentials") == 2


def test_auth_method_not_allowed_for_client(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.register_client("post-only", SECRET, auth_methods=["client_secret_post"])
    response = post_form(
        http,
        generic,
        generic.token_path,
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic("post-only", SECRET)},
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert "www-authenticate" in response.headers


def test_basic_credentials_are_form_decoded(http: httpx.Client, generic: AuthorizationServer) -> None:
    secret = "p+w/d=x&y %z:"
    generic.register_client("id:with spaces", secret)
    ok = post_form(
        http,
        generic,
        generic.token_path,
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic("id:with spaces", secret)},
    )
    assert ok.status_code == 200, ok.text
    # httpx's own BasicAuth does not form-encode first, which RFC 6749 §2.3.1 requires.
    raw = post_form(
        http, generic, generic.token_path, {"grant_type": "client_credentials"}, auth=("id:with spaces", secret)
    )
    assert raw.status_code == 401


def test_registration_is_validated(generic: AuthorizationServer) -> None:
    with pytest.raises(ValueError):
        generic.register_client("pub", None, auth_methods=["client_secret_post"])
    with pytest.raises(ValueError):
        generic.register_client("conf2", SECRET, auth_methods=["none"])
    with pytest.raises(ValueError):
        generic.register_client("pub", None, grant_types=["client_credentials"])
    with pytest.raises(ValueError):
        generic.register_client("x", SECRET, grant_types=["password"])
    assert "s3cret" not in repr(generic.client("conf"))


# -- refresh --------------------------------------------------------------------------------------


def test_refresh_without_rotation_keeps_the_token(http: httpx.Client, generic: AuthorizationServer) -> None:
    tokens = sign_in(http, generic)
    first = refresh(http, generic, str(tokens["refresh_token"])).json()
    second = refresh(http, generic, str(tokens["refresh_token"])).json()
    assert first["refresh_token"] == second["refresh_token"] == tokens["refresh_token"]
    assert generic.is_access_token_active(str(tokens["access_token"]))
    assert generic.issued_count("refresh_token") == 2


def test_rotation_invalidates_the_old_refresh_token_and_its_access_tokens(
    http: httpx.Client, generic: AuthorizationServer
) -> None:
    generic.rotate_refresh_tokens = True
    tokens = sign_in(http, generic)
    old_rt, old_at = str(tokens["refresh_token"]), str(tokens["access_token"])
    new = refresh(http, generic, old_rt).json()
    assert new["refresh_token"] != old_rt
    assert not generic.is_refresh_token_active(old_rt)
    assert not generic.is_access_token_active(old_at)
    assert generic.is_access_token_active(new["access_token"])
    # A replay of the old one fails and, as OAuth 2.1 advises, ends the whole family.
    replay = refresh(http, generic, old_rt)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    assert not generic.is_refresh_token_active(new["refresh_token"])
    assert not generic.is_access_token_active(new["access_token"])
    sent = [r.form.get("refresh_token") for r in generic.requests if r.form.get("grant_type") == "refresh_token"]
    assert sent == [old_rt, old_rt]


def test_refresh_scope_can_narrow_but_not_widen(http: httpx.Client, generic: AuthorizationServer) -> None:
    response = redeem(http, generic, get_code(http, generic, "conf", scope="read write"))
    rt = response.json()["refresh_token"]
    auth = {"Authorization": basic("conf", SECRET)}
    narrow = post_form(
        http,
        generic,
        generic.token_path,
        {"grant_type": "refresh_token", "refresh_token": rt, "scope": "read"},
        headers=auth,
    )
    assert narrow.json()["scope"] == "read"
    wide = post_form(
        http,
        generic,
        generic.token_path,
        {"grant_type": "refresh_token", "refresh_token": rt, "scope": "admin"},
        headers=auth,
    )
    assert wide.json()["error"] == "invalid_scope"


def test_refresh_token_lifetime_counts_from_original_consent(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.rotate_refresh_tokens = True
    generic.refresh_token_lifetime = 1000
    start = generic.clock()
    generic.clock = lambda: start
    rt = str(sign_in(http, generic)["refresh_token"])
    generic.clock = lambda: start + 900
    rt = refresh(http, generic, rt).json()["refresh_token"]  # rotation does not restart the clock
    generic.clock = lambda: start + 1001
    assert not generic.is_refresh_token_active(rt)
    response = refresh(http, generic, rt)
    assert response.json() == {"error": "invalid_grant", "error_description": "Refresh token expired"}


def test_access_token_ttl_and_expiry(http: httpx.Client, generic: AuthorizationServer) -> None:
    generic.access_token_ttl = 5
    start = generic.clock()
    generic.clock = lambda: start
    tokens = sign_in(http, generic)
    assert tokens["expires_in"] == 5
    generic.clock = lambda: start + 5
    assert not generic.is_access_token_active(str(tokens["access_token"]))


def test_revoke_all_for_user(http: httpx.Client, generic: AuthorizationServer) -> None:
    tokens = sign_in(http, generic)
    generic.revoke_all_for_user()
    assert refresh(http, generic, str(tokens["refresh_token"])).json()["error"] == "invalid_grant"
    assert not generic.is_access_token_active(str(tokens["access_token"]))


# -- introspection, revocation, discovery, resource ------------------------------------------------


def test_rfc7662_introspection(http: httpx.Client, generic: AuthorizationServer) -> None:
    tokens = sign_in(http, generic)
    auth = {"Authorization": basic("conf", SECRET)}
    path = str(generic.introspection_path)
    active = post_form(http, generic, path, {"token": str(tokens["access_token"])}, headers=auth).json()
    assert active["active"] is True
    assert (active["sub"], active["client_id"], active["scope"], active["token_type"]) == (
        generic.user_id,
        "conf",
        "read",
        "Bearer",
    )
    assert active["exp"] - active["iat"] == 3600
    assert post_form(http, generic, path, {"token": "nope"}, headers=auth).json() == {"active": False}
    assert post_form(http, generic, path, {"token": "x"}).status_code == 401
    assert http.post(generic.url(path), json={"token": "x"}, headers=auth).json()["error"] == "invalid_request"
    assert post_form(http, generic, path, {"accessToken": "x"}, headers=auth).json()["error"] == "invalid_request"


def test_revocation(http: httpx.Client, generic: AuthorizationServer) -> None:
    auth = {"Authorization": basic("conf", SECRET)}
    path = str(generic.revocation_path)
    tokens = sign_in(http, generic)
    response = post_form(http, generic, path, {"token": str(tokens["refresh_token"])}, headers=auth)
    assert response.status_code == 200
    assert not generic.is_refresh_token_active(str(tokens["refresh_token"]))
    assert not generic.is_access_token_active(str(tokens["access_token"]))
    assert post_form(http, generic, path, {"token": "unknown"}, headers=auth).status_code == 200
    assert post_form(http, generic, path, {"token": "x"}).status_code == 401


@pytest.mark.parametrize("document", ["oauth-authorization-server", "openid-configuration"])
def test_discovery(http: httpx.Client, generic: AuthorizationServer, document: str) -> None:
    meta = http.get(generic.url(f"/.well-known/{document}")).json()
    assert meta["issuer"] == generic.base_url
    assert meta["authorization_endpoint"] == generic.url("/authorize")
    assert meta["token_endpoint"] == generic.url("/token")
    assert meta["introspection_endpoint"] == generic.url("/introspect")
    assert meta["revocation_endpoint"] == generic.url("/revoke")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "client_credentials" in meta["grant_types_supported"]
    assert "client_secret_basic" in meta["token_endpoint_auth_methods_supported"]


def test_discovery_can_be_turned_off(http: httpx.Client) -> None:
    with AuthorizationServer(oauth_metadata=False, openid_configuration=False, revocation_path=None) as server:
        assert http.get(server.url("/.well-known/oauth-authorization-server")).status_code == 404
        assert http.get(server.url("/.well-known/openid-configuration")).status_code == 404
        assert "revocation_endpoint" not in server.metadata()


def test_protected_resource(http: httpx.Client, generic: AuthorizationServer) -> None:
    tokens = sign_in(http, generic)
    url = str(generic.endpoints["resource"])
    ok = http.get(url, headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert ok.json() == {"sub": generic.user_id, "client_id": "conf", "scope": "read"}
    assert http.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert http.get(url, headers={"Authorization": f"OAuth {tokens['access_token']}"}).status_code == 401
    assert http.get(url).status_code == 401
    cc = post_form(
        http,
        generic,
        generic.token_path,
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic("conf", SECRET)},
    )
    assert "refresh_token" not in cc.json()
    app = http.get(url, headers={"Authorization": f"Bearer {cc.json()['access_token']}"}).json()
    assert app["sub"] == "conf"


def test_endpoints_are_absolute(generic: AuthorizationServer) -> None:
    for url in generic.endpoints.values():
        assert urlsplit(url).netloc == f"127.0.0.1:{generic.port}"
