"""The Discogs emulator's own rules: its hand-made signatures agree with the specifications'
worked examples, and a request token buys one access token at most."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from musicauth_gui.core.errors import InvalidGrant
from musicauth_gui.core.http import make_client
from musicauth_gui.core.oauth import oauth1
from musicauth_gui.core.oauth.oauth1_signing import Consumer, authorization
from musicauth_gui.core.secret import Secret
from musicauth_gui.sandbox import DiscogsServer
from musicauth_gui.sandbox.server import Request

PHOTOS = Request("GET", "/photos", {"file": "vacation.jpg", "size": "original"}, {}, {"host": "photos.example.net"})
EXAMPLE = {
    "oauth_consumer_key": "dpf43f3p2l4k3l03",
    "oauth_token": "nnch734d00sl2jdk",
    "oauth_signature_method": "HMAC-SHA1",
    "oauth_signature": "(left out of the base string)",
}


@pytest.fixture
def discogs() -> Iterator[DiscogsServer]:
    with DiscogsServer() as server:
        server.register_consumer("key", "s3cr+t/&=")
        yield server
    assert server.handler_errors == [], server.handler_errors[0]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # RFC 5849 §1.2 (realm is left out of the base string, §3.4.1.3.1).
        ({"realm": "Photos", "oauth_timestamp": "137131202", "oauth_nonce": "chapoH"}, "MdpQcU8iPSUjWoN/UDMsK2sui9I="),
        # OAuth Core 1.0 Appendix A.5.2, with oauth_version.
        (
            {"oauth_timestamp": "1191242096", "oauth_nonce": "kllo9940pd9333jh", "oauth_version": "1.0"},
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM=",
        ),
    ],
)
def test_hmac_sha1_matches_the_specifications_examples(extra: dict[str, str], expected: str) -> None:
    signature = DiscogsServer().signature(PHOTOS, {**EXAMPLE, **extra}, consumer_secret="kd94hf93k423kf44", token_secret="pfkkdhi9sl3r4s00")
    assert signature == expected


def test_plaintext_is_both_secrets_percent_encoded() -> None:
    params = {**EXAMPLE, "oauth_signature_method": "PLAINTEXT"}
    assert DiscogsServer().signature(PHOTOS, params, consumer_secret="a&b", token_secret="c d") == "a%26b&c%20d"


def test_a_request_token_buys_one_access_token(discogs: DiscogsServer) -> None:
    consumer = Consumer("key", Secret("s3cr+t/&="), "HMAC-SHA1")

    async def run() -> None:
        async with make_client() as client:
            request = await oauth1.request_token(client, discogs.url("/oauth/request_token"), consumer, callback="http://127.0.0.1:9/cb")
            approval = await client.get(oauth1.authorization_url(discogs.url("/oauth/authorize"), request))
            verifier = Secret(dict(parse_qsl(urlsplit(approval.headers["location"]).query))["oauth_verifier"])
            url = discogs.url("/oauth/access_token")
            token = await oauth1.access_token(client, url, consumer, request=request, verifier=verifier, now=0)
            assert discogs.is_access_token_active(token.access_token.reveal())
            with pytest.raises(InvalidGrant) as again:
                await oauth1.access_token(client, url, consumer, request=request, verifier=verifier, now=0)
            assert again.value.description == "Invalid Request Token."

    asyncio.run(run())


def test_the_legs_want_the_form_content_type(discogs: DiscogsServer) -> None:
    consumer = Consumer("key", Secret("s3cr+t/&="))
    url = discogs.url("/oauth/request_token")
    header = authorization(consumer, "POST", url, callback="http://127.0.0.1:9/cb")
    answer = httpx.post(url, headers={"Authorization": header.reveal(), "User-Agent": "t/1"}, trust_env=False)
    assert answer.status_code == 400 and answer.text.startswith("Invalid Content-Type")
