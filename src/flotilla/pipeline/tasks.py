"""Scheduled work of the pipeline: the daily snapshot."""

from __future__ import annotations
