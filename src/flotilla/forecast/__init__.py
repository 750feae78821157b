"""Funnel (stage conversion from stage history) and forecasts (category, stage-weighted,
statistical with back-test)."""
