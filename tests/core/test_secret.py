import logging

import pytest

from musicauth_gui.core.secret import MASK, WITHHELD, Secret, SecretScrubber, live_secret_count, scrub


def test_secret_repr_and_str_are_masked() -> None:
    s = Secret("hunter2-very-secret")
    assert "hunter2" not in repr(s)
    assert "hunter2" not in str(s)
    assert "hunter2" not in f"{s}"
    assert s.reveal() == "hunter2-very-secret"


def test_scrub_masks_registered_values_and_secret_fields() -> None:
    held = Secret("registered-value-123")  # masked while something holds it
    text = scrub("got registered-value-123 and code=abc123&state=ok client_secret=zzz")
    assert "registered-value-123" not in text
    assert "abc123" not in text and "zzz" not in text
    assert "state=ok" in text
    assert held.reveal() == "registered-value-123"


@pytest.mark.allow_warning_logs(match="^sending ")  # the record the filter works on
def test_log_filter_scrubs_records(caplog) -> None:  # type: ignore[no-untyped-def]
    held = Secret("token-in-a-log-line")
    logger = logging.getLogger("musicauth.test")
    caplog.handler.addFilter(SecretScrubber())
    logger.warning("sending %s", "token-in-a-log-line")
    assert "token-in-a-log-line" not in caplog.text
    del held


def test_the_scrub_registry_holds_no_secret_longer_than_its_holders() -> None:
    import gc

    gc.collect()  # secrets of earlier tests still in reference cycles would vanish mid-test
    before = live_secret_count()
    held = [Secret(f"short-lived-secret-{i}") for i in range(100)]
    assert live_secret_count() == before + 100
    assert scrub("short-lived-secret-7 leaked") == f"{MASK} leaked"
    del held
    gc.collect()
    assert live_secret_count() == before  # no copy of the values stays behind
    assert scrub("short-lived-secret-7") == "short-lived-secret-7"  # gone from memory, so from the registry


def test_two_holders_of_one_value_keep_it_masked_until_the_last_is_gone() -> None:
    first, second = Secret("the-same-value-twice"), Secret("the-same-value-twice")
    del first
    assert scrub("the-same-value-twice") == MASK
    del second
    assert scrub("the-same-value-twice") == "the-same-value-twice"


def test_a_withheld_secret_is_true_masked_and_refuses_to_reveal() -> None:
    assert bool(WITHHELD) and "withheld" in repr(WITHHELD) and MASK not in repr(WITHHELD)
    with pytest.raises(RuntimeError, match="read the record fresh"):
        WITHHELD.reveal()
