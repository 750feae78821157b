"""Every contract test runs on a frozen clock: 2026-06-15 10:00 in Shanghai (02:00 UTC), so
numbers (…-2026-…), due dates and days overdue are fixed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from flotilla.core import clock

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield
