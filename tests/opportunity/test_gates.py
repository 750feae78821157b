"""The pure parts of the transition rules: how a move is classified, which stages a skip
passes over, and that every required field a template may name has a check."""

from __future__ import annotations

import uuid
from typing import get_args

import pytest

from flotilla.models.sales import ProcessStage
from flotilla.opportunity.gates import REQUIRED_FIELD_CHECKS, classify, skipped_stages
from flotilla.process.schemas import RequiredField

PATH = [
    ProcessStage(id=uuid.uuid4(), code=code, position=position, kind=kind)
    for position, (code, kind) in enumerate(
        [("a", "open"), ("b", "open"), ("c", "open"), ("won", "won"), ("lost", "lost")], start=1
    )
]
BY_CODE = {s.code: s for s in PATH}


def test_every_whitelisted_required_field_has_a_check() -> None:
    assert set(REQUIRED_FIELD_CHECKS) == set(get_args(RequiredField))


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        ("a", "b", (False, False, True)),
        ("a", "c", (True, False, True)),
        ("c", "won", (False, False, True)),
        ("a", "won", (True, False, True)),
        ("c", "a", (False, True, False)),
        ("a", "lost", (False, False, False)),
        ("lost", "a", (False, True, False)),
        ("lost", "won", (False, True, True)),
        ("won", "lost", (False, True, False)),
    ],
)
def test_moves_are_classified_along_the_open_path(
    current: str, target: str, expected: tuple[bool, bool, bool]
) -> None:
    move = classify(PATH, BY_CODE[current], BY_CODE[target])
    assert (move.is_skip, move.is_backward, move.checks_gates) == expected


def test_a_skip_passes_over_the_open_stages_between() -> None:
    assert [s.code for s in skipped_stages(PATH, BY_CODE["a"], BY_CODE["c"])] == ["b"]
    assert [s.code for s in skipped_stages(PATH, BY_CODE["a"], BY_CODE["won"])] == ["b", "c"]
    assert skipped_stages(PATH, BY_CODE["a"], BY_CODE["lost"]) == []
    assert skipped_stages(PATH, BY_CODE["lost"], BY_CODE["won"]) == []
