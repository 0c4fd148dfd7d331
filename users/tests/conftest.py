"""Fixtures of the users tests."""

import pytest
from django.conf import settings

from users import throttling

LOGIN_WINDOW = throttling.PERIODS[settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login_username"].split("/")[1][0]]


@pytest.fixture
def frozen_clock(monkeypatch) -> list[float]:
    """The login throttle's time stands at the start of a window (so a test never straddles
    two windows); a test moves it with `frozen_clock[0] += seconds`."""
    now = [(int(throttling.clock() // LOGIN_WINDOW) + 1) * LOGIN_WINDOW + 0.5]
    monkeypatch.setattr(throttling, "clock", lambda: now[0])
    return now
