"""Flotilla (集团销售管控平台): sales-process control for group companies."""

__version__ = "0.1.0"
