"""The demo sandbox: every emulator with a working demo client."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from musicauth_gui.sandbox import start_all

from .helpers import basic


def test_start_all_serves_every_provider_and_stops_together(http: httpx.Client) -> None:
    with start_all() as sandbox:
        assert set(sandbox.providers) == {"live", "musixmatch", "spotify", "soundcloud"}
        ports = {provider.server.port for provider in sandbox.providers.values()}
        assert len(ports) == 4
        live = sandbox.providers["live"]
        secret = str(live.client.client_secret)
        form = (
            f"grant_type=client_credentials&client_id={live.client.client_id}"
            f"&client_secret={quote(secret, safe='')}&scope=app.music.xboxlive.com"
        )
        response = http.post(
            live.endpoints["app_token_endpoint"],
            content=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 200
        spotify = sandbox.providers["spotify"]
        assert spotify.client.client_id == "demo-spotify"
        cc = http.post(
            spotify.endpoints["token_endpoint"],
            data={"grant_type": "client_credentials"},
            headers={"Authorization": basic("demo-spotify", str(spotify.client.client_secret))},
        )
        assert cc.status_code == 200
        assert (
            http.get(sandbox.providers["musixmatch"].base_url + "/.well-known/openid-configuration").status_code == 200
        )
    assert not any(provider.server.running for provider in sandbox.providers.values())
