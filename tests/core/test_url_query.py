"""``with_query``, the one way the core appends pairs to a URL's query (Last.fm's page and calls,
Discogs' approval page, a key or token placed in the query)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from musicauth_gui.core.url_query import with_query


def test_each_value_stays_one_value_and_the_query_already_there_is_kept_as_written() -> None:
    callback = "http://127.0.0.1:8123/callback?state=a/b+c&x=1"
    url = with_query("https://www.last.fm/api/auth/?lang=en%2Dgb#top", {"api_key": "k ey", "cb": callback})
    parts = urlsplit(url)
    assert parts.query == "lang=en%2Dgb&api_key=k%20ey&cb=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback%3Fstate%3Da%2Fb%2Bc%26x%3D1"
    assert parse_qsl(parts.query)[-1] == ("cb", callback) and parts.fragment == "top"


def test_a_url_without_a_query_gets_one() -> None:
    assert with_query("https://api.discogs.com/oauth/authorize", {"oauth_token": "t&=1"}) == (
        "https://api.discogs.com/oauth/authorize?oauth_token=t%26%3D1"
    )
