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
    [{}, {"access_token": ""}, {"access_token": 5}, {"access_token": "a" * 9, "refresh_token": 7}],
)
def test_malformed_answers_are_typed_errors(body: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(MalformedResponse):
        parse_token_response(body, now=0, what="token request")


def test_rotation_keeps_newest_and_falls_back_to_previous() -> None:
    old = TokenSet(access_token=Secret("old-access"), refresh_token=Secret("old-refresh"), consented_at=50, issued_at=100, expires_at=200)
    rotated = parse_token_response(
        {"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": 60}, now=300, what="t", previous=old
    )
    assert rotated.refresh_token == Secret("new-refresh")
    kept = parse_token_response({"access_token": "new-access", "expires_in": 60}, now=300, what="t", previous=old)
    assert kept.refresh_token == Secret("old-refresh")
    assert kept.consented_at == 50


def test_refresh_token_lifetime_counts_from_original_consent() -> None:
    first = parse_token_response(
        {"access_token": "a" * 10, "refresh_token": "r1", "expires_in": 3600}, now=1000, what="t", refresh_token_lifetime=500000
    )
    assert first.refresh_expires_at == 1000 + 500000
    later = parse_token_response(
        {"access_token": "b" * 10, "refresh_token": "r2", "expires_in": 3600},
        now=90000,
        what="t",
        previous=first,
        refresh_token_lifetime=500000,
    )
    assert later.refresh_expires_at == 1000 + 500000
    assert later.consented_at == 1000


# -- odd expiry values: unknown, never an error, never stored as such --------------------------------

TEN_YEARS = 10 * 365 * 86400


@pytest.mark.parametrize(
    "expires_in",
    ["nan", "NaN", "inf", "-inf", "Infinity", float("nan"), float("inf"), float("-inf"), 1e308, 1e12, TEN_YEARS + 1,
     10**400, 0, -5, "-5", "soon", "", True, [3600], {"s": 1}],
)
def test_an_unusable_expires_in_is_an_unknown_expiry_and_the_rotated_refresh_token_is_kept(expires_in: object) -> None:
    old = TokenSet(access_token=Secret("old-access"), refresh_token=Secret("old-refresh"), consented_at=50, issued_at=100, expires_at=200)
    body = {"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": expires_in, "refresh_token_expires_in": expires_in}
    t = parse_token_response(body, now=1000, what="refresh", previous=old)
    assert t.expires_at is None and t.lifetime is None and t.refresh_expires_at is None
    assert t.refresh_token == Secret("new-refresh")
    assert t.access_token == Secret("new-access")


def test_1e400_in_the_json_text_reads_as_infinity_and_is_unknown() -> None:
    body = json.loads('{"access_token": "abc", "refresh_token": "r2", "expires_in": 1e400}')
    assert body["expires_in"] == float("inf")  # what Python's json makes of it
    t = parse_token_response(body, now=1000, what="refresh")
    assert t.expires_at is None and t.refresh_token == Secret("r2")


def test_the_longest_believable_lifetime_is_ten_years() -> None:
    t = parse_token_response(
        {"access_token": "abc", "expires_in": TEN_YEARS, "refresh_token_expires_in": str(TEN_YEARS)}, now=1000, what="t"
    )
    assert t.expires_at == 1000 + TEN_YEARS
    assert t.refresh_expires_at == 1000 + TEN_YEARS


def test_an_unusable_expires_in_falls_back_to_the_jwt_exp() -> None:
    t = parse_token_response({"access_token": jwt_with_exp(5000), "expires_in": "nan"}, now=1000, what="t")
    assert t.expires_at == 5000 and t.lifetime == 4000


@pytest.mark.parametrize("exp", ["5000", 0, -1, 10**400, 1000 + TEN_YEARS + 1, True, None])
def test_an_implausible_jwt_exp_is_unknown(exp: object) -> None:
    token = jwt_with_exp(exp)  # type: ignore[arg-type]
    assert parse_token_response({"access_token": token}, now=1000, what="t").expires_at is None


def test_a_jwt_exp_of_1e400_or_nan_is_unknown() -> None:
    def jwt_with_raw_payload(text: str) -> str:
        return "e30." + base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode() + ".sig"

    for raw in ('{"exp": 1e400}', '{"exp": NaN}', '{"exp": -Infinity}', "[" * 100000):
        assert parse_token_response({"access_token": jwt_with_raw_payload(raw)}, now=1000, what="t").expires_at is None


def test_an_unknown_refresh_lifetime_falls_back_to_the_documented_one() -> None:
    t = parse_token_response(
        {"access_token": "abc", "refresh_token": "r1", "expires_in": 60, "refresh_token_expires_in": "inf"},
        now=1000, what="t", refresh_token_lifetime=500000,
    )
    assert t.refresh_expires_at == 1000 + 500000


# -- tokens with characters a terminal or a header must never see -------------------------------------

HOSTILE = ["\x00", "\x07", "\x1b[2J", "\n", "\r\n", "\t", " ", "\x7f", "\x85", "\x9b", "\u00a0", "\u2028", "\u202e", "é"]


@pytest.mark.parametrize("char", HOSTILE)
@pytest.mark.parametrize("field", ["access_token", "refresh_token", "token_type"])
def test_a_token_with_a_control_character_or_whitespace_is_refused(field: str, char: str) -> None:
    body = {"access_token": "good-access", "refresh_token": "good-refresh", "token_type": "Bearer", "expires_in": 60}
    body[field] = f"abc{char}def"
    with pytest.raises(MalformedResponse) as caught:
        parse_token_response(body, now=0, what="refresh")
    message = str(caught.value)
    assert field in message and "\n" not in message
    assert "abc" not in message  # the value itself is never shown


def test_every_printable_ascii_character_is_accepted() -> None:
    printable = "".join(chr(c) for c in range(0x21, 0x7F))
    t = parse_token_response({"access_token": printable, "refresh_token": printable, "token_type": "Bearer"}, now=0, what="t")
    assert t.access_token == Secret(printable) and t.refresh_token == Secret(printable)
