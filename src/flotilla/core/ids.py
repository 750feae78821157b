"""Globally unique, time-ordered ids (UUIDv7) so rows can later be sharded by subsidiary."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(str(uuid6.uuid7()))
