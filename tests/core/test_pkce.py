from musicauth_gui.core.oauth.pkce import Pkce, challenge_for, new_state


def test_challenge_matches_rfc7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert challenge_for(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_generated_verifier_is_43_unreserved_characters_and_unique() -> None:
    a, b = Pkce.generate(), Pkce.generate()
    verifier = a.verifier.reveal()
    assert len(verifier) == 43
    assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    assert a.challenge == challenge_for(verifier)
    assert a.verifier != b.verifier
    assert a.method == "S256"
    assert "dBjf" not in repr(a) and verifier not in repr(a)


def test_state_is_random_and_long() -> None:
    assert new_state() != new_state()
    assert len(new_state()) >= 40
