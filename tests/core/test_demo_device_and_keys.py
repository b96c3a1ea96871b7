"""Demo mode's device-flow profile and static-key profiles: a person approves the device on the
emulator's verification page (as in the demo's browser), and each static key reaches its API
where the profile puts it, through the engine as the app drives it."""

from __future__ import annotations

import asyncio
import re

import httpx

from musicauth_gui.demo_world import DEMO_DEVICE_PROFILE, STATIC_DEMOS, start_demo
from musicauth_gui.sandbox.api_key import ApiKeyServer
from musicauth_gui.sandbox.device import DeviceAuthorizationServer


def approve_on_the_page(url: str) -> None:
    """A person with a phone: open the complete URI, check the code, press Approve."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        page = client.get(url)
        assert page.status_code == 200 and "Approve" in page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        code = re.search(r'name="user_code" value="([^"]+)"', page.text)
        assert action and code and code.group(1) in url
        decided = client.post(str(page.url.join(action.group(1))), data={"user_code": code.group(1), "decision": "approve"})
        assert decided.status_code == 200 and "signed in" in decided.text


def test_the_device_profile_signs_in_through_the_verification_page_then_tries() -> None:
    async def run() -> None:
        world = await start_demo(consent="interactive", short_lived=False)
        try:
            device = world.keyed[DEMO_DEVICE_PROFILE]
            assert isinstance(device, DeviceAuthorizationServer)
            device.interval = 1  # the demo's 5 s is a person's pace; this test need not wait
            opened: list[str] = []

            async def browser(url: str) -> None:
                opened.append(url)
                await asyncio.to_thread(approve_on_the_page, url)

            token = await world.engine.login(DEMO_DEVICE_PROFILE, open_browser=browser, timeout=20)
            assert opened == [f"{device.url('/device')}?user_code={device.user_codes[0]}"]
            assert device.is_access_token_active(token.access_token.reveal())
            result = await world.engine.try_profile(DEMO_DEVICE_PROFILE)
            assert result.ok and result.status == 200, result
        finally:
            world.stop()

    asyncio.run(run())


def test_each_static_profile_reaches_its_api_with_the_key_where_it_belongs() -> None:
    async def run() -> None:
        world = await start_demo(short_lived=False)
        try:
            for name, (provider, placement) in STATIC_DEMOS.items():
                api = world.keyed[name]
                assert isinstance(api, ApiKeyServer) and api.placement == placement
                record = await world.engine.store.load(name)
                assert record.profile.provider == provider and record.profile.flow == "static"
                result = await world.engine.try_profile(name)
                assert result.ok and result.status == 200, (name, result)
                sent = api.requests[-1]
                if placement == "query":
                    assert sent.query.get("apikey") == api.key and "authorization" not in sent.headers
                else:
                    assert sent.headers.get("authorization") == f"Bearer {api.key}"
        finally:
            world.stop()

    asyncio.run(run())


def test_a_typed_code_and_a_denial_on_the_verification_page() -> None:
    with DeviceAuthorizationServer(consent="interactive") as device:
        device.register_client("c")
        with httpx.Client(trust_env=False, timeout=10) as client:
            asked = client.post(device.url("/device/code"), data={"client_id": "c"}).json()
            bare = client.get(asked["verification_uri"])
            assert 'name="user_code"' in bare.text and "Approve" in bare.text
            typed = asked["user_code"].lower().replace("-", "")  # typed by hand on a phone
            assert client.post(asked["verification_uri"], data={"user_code": typed, "decision": "deny"}).status_code == 200
            again = client.post(asked["verification_uri"], data={"user_code": typed, "decision": "approve"})
            assert again.status_code == 400  # answered once
            poll = client.post(
                device.url("/token"),
                data={"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": asked["device_code"], "client_id": "c"},
            )
            assert poll.json()["error"] == "access_denied"
