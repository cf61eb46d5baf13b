"""What each HTTP answer means for a delivery, and how Retry-After is read."""

from __future__ import annotations

import email.utils

from gridgov_webhook.channel import http_failure, retry_after_seconds
from hypothesis import given
from hypothesis import strategies as st

NOW = 1_700_000_000.0


@given(code=st.integers(300, 599), wait=st.none() | st.floats(0, 1e6))
def test_every_status_has_one_meaning(code: int, wait: float | None) -> None:
    err = http_failure("http://h/x", code, "reason", wait)
    deferred = code in (429, 503) and wait is not None
    assert (err.retry_after is not None) == deferred
    assert err.permanent == (400 <= code < 500 and code not in (408, 429))
    assert not (err.permanent and deferred)
    assert not err.unavailable
    assert f"HTTP {code}" in str(err)


@given(seconds=st.integers(0, 10**7))
def test_retry_after_in_seconds_and_as_a_date(seconds: int) -> None:
    assert retry_after_seconds(str(seconds), NOW) == float(seconds)
    date = email.utils.formatdate(NOW + seconds, usegmt=True)
    assert retry_after_seconds(date, NOW) == float(seconds)


def test_retry_after_that_cannot_be_read_is_ignored() -> None:
    assert retry_after_seconds(None, NOW) is None
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds("-5", NOW) is None
    assert retry_after_seconds("Tue, 01 Dec 2026 10:00:00", NOW) is None  # no zone
    past = email.utils.formatdate(NOW - 60, usegmt=True)
    assert retry_after_seconds(past, NOW) == 0.0
