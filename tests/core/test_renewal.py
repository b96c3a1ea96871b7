import asyncio

import pytest

from musicauth_gui.core import renewal
from musicauth_gui.core.model import TokenSet
from musicauth_gui.core.secret import Secret


def token(issued: float, lifetime: float | None) -> TokenSet:
    return TokenSet(access_token=Secret("x" * 10), issued_at=issued, expires_at=None if lifetime is None else issued + lifetime)


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [(3600, 360), (86400, 8640), (300, 60), (120, 60), (30, 15), (None, 60)],
)
def test_margin_is_max_of_60s_and_10_percent(lifetime: float | None, margin: float) -> None:
    assert renewal.renewal_margin(lifetime) == margin


def test_needs_renewal_follows_expires_in_not_a_constant() -> None:
    t = token(1000, 3600)
    assert not renewal.needs_renewal(t, 1000 + 3600 - 361)
    assert renewal.needs_renewal(t, 1000 + 3600 - 360)
    long = token(1000, 6 * 30 * 86400)
    assert not renewal.needs_renewal(long, 1000 + 100 * 86400)
    assert renewal.needs_renewal(None, 0)
    assert not renewal.needs_renewal(token(1000, None), 10**12)


async def test_sleep_until_uses_bounded_steps() -> None:
    now = [0.0]
    steps: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        steps.append(seconds)
        now[0] += seconds
        await real_sleep(0)

    import unittest.mock

    with unittest.mock.patch.object(renewal.asyncio, "sleep", fake_sleep):
        # 180 days: far past qasync's 2**31-1 ms timer limit.
        await renewal.sleep_until(180 * 86400.0, clock=lambda: now[0])
    assert now[0] == 180 * 86400.0
    assert max(steps) <= renewal.MAX_SLEEP_STEP
    assert max(steps) * 1000 < 2**31 - 1
