import logging

import pytest

from musicauth_gui.core.secret import Secret, SecretScrubber, scrub


def test_secret_repr_and_str_are_masked() -> None:
    s = Secret("hunter2-very-secret")
    assert "hunter2" not in repr(s)
    assert "hunter2" not in str(s)
    assert "hunter2" not in f"{s}"
    assert s.reveal() == "hunter2-very-secret"


def test_scrub_masks_registered_values_and_secret_fields() -> None:
    Secret("registered-value-123")
    text = scrub("got registered-value-123 and code=abc123&state=ok client_secret=zzz")
    assert "registered-value-123" not in text
    assert "abc123" not in text and "zzz" not in text
    assert "state=ok" in text


@pytest.mark.allow_warning_logs(match="^sending ")  # the record the filter works on
def test_log_filter_scrubs_records(caplog) -> None:  # type: ignore[no-untyped-def]
    Secret("token-in-a-log-line")
    logger = logging.getLogger("musicauth.test")
    caplog.handler.addFilter(SecretScrubber())
    logger.warning("sending %s", "token-in-a-log-line")
    assert "token-in-a-log-line" not in caplog.text
