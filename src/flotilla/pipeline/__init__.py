"""Daily pipeline snapshots: the scheduled job, the pipeline on a date and its waterfall."""
