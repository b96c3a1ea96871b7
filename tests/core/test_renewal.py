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
