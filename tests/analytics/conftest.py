from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from flotilla.core import clock
from tests.analytics.dataset import NOW, Dataset, make_dataset


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    """Every analytics test runs on 2026-12-15, 12:00 in Beijing."""
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def data(db: Session) -> Dataset:
    return make_dataset(db)
