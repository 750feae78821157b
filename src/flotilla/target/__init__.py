"""Targets cascaded from group to rep, their consistency check and achievement."""
