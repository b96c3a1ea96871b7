import base64
import json

import pytest

from musicauth_gui.core.errors import MalformedResponse
from musicauth_gui.core.model import TokenSet
from musicauth_gui.core.oauth.flows import parse_token_response
from musicauth_gui.core.secret import Secret


def jwt_with_exp(exp: int) -> str:
    def enc(obj: dict) -> str:  # type: ignore[type-arg]
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': 'none'})}.{enc({'exp': exp})}.sig"


def test_expiry_from_expires_in_as_absolute_time() -> None:
    t = parse_token_response({"access_token": "a" * 20, "expires_in": 86400, "token_type": "bearer"}, now=1000, what="t")
    assert t.expires_at == 1000 + 86400
    assert t.lifetime == 86400
    assert t.token_type == "bearer"


def test_expires_in_as_string_and_jwt_fallback() -> None:
    assert parse_token_response({"access_token": "a" * 20, "expires_in": "3600"}, now=0, what="t").expires_at == 3600
    t = parse_token_response({"access_token": jwt_with_exp(5000)}, now=1000, what="t")
    assert t.expires_at == 5000


def test_groove_table_spelling_accessToken_is_accepted() -> None:
    t = parse_token_response({"accessToken": "Eg" + "x" * 20, "expires_in": 10}, now=0, what="t")
    assert t.access_token.reveal().startswith("Eg")


@pytest.mark.parametrize(
    "body",
    [{}, {"access_token": ""}, {"access_token": 5}, {"access_token": "a" * 9, "expires_in": "soon"}, {"access_token": "a" * 9, "expires_in": -5}, {"access_token": "a" * 9, "refresh_token": 7}],
)
def test_malformed_answers_are_typed_errors(body: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(MalformedResponse):
        parse_token_response(body, now=0, what="token request")


def test_rotation_keeps_newest_and_falls_back_to_previous() -> None:
    old = TokenSet(access_token=Secret("old-access"), refresh_token=Secret("old-refresh"), consented_at=50, issued_at=100, expires_at=200)
    rotated = parse_token_response({"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": 60}, now=300, what="t", previous=old)
    assert rotated.refresh_token == Secret("new-refresh")
    kept = parse_token_response({"access_token": "new-access", "expires_in": 60}, now=300, what="t", previous=old)
    assert kept.refresh_token == Secret("old-refresh")
    assert kept.consented_at == 50


def test_refresh_token_lifetime_counts_from_original_consent() -> None:
    first = parse_token_response({"access_token": "a" * 10, "refresh_token": "r1", "expires_in": 3600}, now=1000, what="t", refresh_token_lifetime=500000)
    assert first.refresh_expires_at == 1000 + 500000
    later = parse_token_response({"access_token": "b" * 10, "refresh_token": "r2", "expires_in": 3600}, now=90000, what="t", previous=first, refresh_token_lifetime=500000)
    assert later.refresh_expires_at == 1000 + 500000
    assert later.consented_at == 1000
