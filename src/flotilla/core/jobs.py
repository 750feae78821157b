"""The jobs kernel: named units of scheduled system work (pool reclaim, snapshots, …).

A job is a function ``(session, now) -> JobResult`` registered under a name with a crontab
schedule (UTC). ``run_job`` calls it in a **system session** (no scope guard, audited as the
system actor) and commits after every call. A job that had more work than one batch returns
``more=True`` and is called again in a fresh transaction with the same ``now``, so a run of
any size commits in bounded transactions and a crash loses at most the batch in flight,
which the next run picks up again.

Every job must be **idempotent** (running it twice changes nothing the second time) and
**safe when two processes run it at once**: it claims the rows it changes with
``claim_rows`` (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a second process
skips rows the first is working on), and re-checks their state under that lock. SQLite
serializes writers anyway: sessions begin IMMEDIATE, so the second runner waits and then
sees the first one's committed work.

Jobs run from ``flotilla jobs run NAME`` (once), ``flotilla jobs worker`` (the schedule in a
worker process) and inside the web server when ``FLOTILLA_RUN_JOBS`` is on (the default for
the embedded SQLite database), through ``JobScheduler``.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

from flotilla.core import audit, clock
from flotilla.core.scope import mark_system_session

logger = logging.getLogger("flotilla.jobs")

# Feature modules that register jobs when imported. A feature with scheduled work adds its
# ``tasks`` module here.
JOB_MODULES: tuple[str, ...] = (
    "flotilla.pool.tasks",
    "flotilla.receivable.tasks",
    "flotilla.pipeline.tasks",
)

# A runaway job (one that keeps saying ``more`` without making progress) stops here.
MAX_BATCHES_PER_RUN = 10_000

S = TypeVar("S", bound="Select[Any]")


@dataclass(frozen=True)
class JobResult:
    """What one call of a job did. ``more`` asks for another call (another transaction)."""

    processed: int = 0
    more: bool = False
    counts: dict[str, int] = field(default_factory=dict)


JobFunction = Callable[[Session, datetime], JobResult]


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    schedule: str
    description: str


@dataclass(frozen=True)
class JobReport:
    """The outcome of one ``run_job``: every batch added up."""

    name: str
    now: datetime
    started_at: datetime
    finished_at: datetime
    batches: int
    processed: int
    counts: dict[str, int]

    def summary(self) -> str:
        extra = "".join(f", {key}={value}" for key, value in sorted(self.counts.items()))
        seconds = (self.finished_at - self.started_at).total_seconds()
        return (
            f"{self.name}: processed={self.processed} batches={self.batches}{extra} "
            f"({seconds:.2f}s)"
        )


class UnknownJob(KeyError):
    """No job is registered under this name."""


_registry: dict[str, Job] = {}
_registry_lock = threading.Lock()


def job(name: str, *, schedule: str, description: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` as the job ``name``, run on ``schedule`` (crontab, UTC)."""
    _check_crontab(schedule)

    def register(function: JobFunction) -> JobFunction:
        with _registry_lock:
            existing = _registry.get(name)
            if existing is not None and existing.function is not function:
                raise ValueError(f"job {name!r} is registered twice")
            _registry[name] = Job(name, function, schedule, description)
        return function

    return register


def _check_crontab(schedule: str) -> None:
    if len(schedule.split()) != 5:
        raise ValueError(f"schedule {schedule!r} is not a five-field crontab expression")


def load_jobs() -> None:
    """Import every module that registers jobs (idempotent)."""
    for module in JOB_MODULES:
        importlib.import_module(module)


def registered_jobs() -> list[Job]:
    load_jobs()
    return sorted(_registry.values(), key=lambda j: j.name)


def get_job(name: str) -> Job:
    load_jobs()
    try:
        return _registry[name]
    except KeyError:
        raise UnknownJob(name) from None


def claim_rows(stmt: S) -> S:
    """Lock the selected rows for this transaction, skipping rows another transaction holds
    (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite, whose writers are serialized, ignores it).
    Existing objects in the session are refreshed so the state checked is the locked state."""
    return stmt.with_for_update(skip_locked=True).execution_options(populate_existing=True)


def run_job(
    factory: sessionmaker[Session],
    name: str,
    *,
    now: datetime | None = None,
    max_batches: int = MAX_BATCHES_PER_RUN,
) -> JobReport:
    """Run one job to completion: batch after batch, each in its own committed transaction.

    ``now`` (default: the clock) is fixed for the whole run, so every batch applies the same
    cut-off times.
    """
    definition = get_job(name)
    moment = now or clock.now()
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    started = datetime.now(UTC)
    batches = processed = 0
    counts: dict[str, int] = {}
    while batches < max_batches:
        with factory() as session:
            mark_system_session(session)
            audit.set_context(session, audit.SYSTEM_CONTEXT)
            try:
                result = definition.function(session, moment)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        batches += 1
        processed += result.processed
        for key, value in result.counts.items():
            counts[key] = counts.get(key, 0) + value
        if not result.more:
            break
    else:
        logger.warning("job %s stopped after %d batches; the next run continues", name, batches)
    report = JobReport(
        name=name,
        now=moment,
        started_at=started,
        finished_at=datetime.now(UTC),
        batches=batches,
        processed=processed,
        counts=counts,
    )
    logger.info("job finished: %s", report.summary())
    return report


def _run_logged(factory: sessionmaker[Session], name: str) -> None:
    try:
        run_job(factory, name)
    except Exception:
        logger.exception("job %s failed; it will run again on its next schedule", name)


class JobScheduler:
    """Runs every registered job on its schedule, in this process (APScheduler).

    ``blocking=False`` runs jobs on background threads (inside the web server);
    ``blocking=True`` makes ``start`` block (the ``flotilla jobs worker`` process).
    A job never runs twice at once within one scheduler; across processes the jobs
    themselves are safe (see the module docstring).
    """

    def __init__(self, factory: sessionmaker[Session], *, blocking: bool = False) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.cron import CronTrigger

        scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
        self._scheduler: Any = scheduler_class(timezone=UTC)
        self.jobs = registered_jobs()
        for definition in self.jobs:
            self._scheduler.add_job(
                _run_logged,
                CronTrigger.from_crontab(definition.schedule, timezone=UTC),
                args=(factory, definition.name),
                id=definition.name,
                name=definition.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=600,
            )

    def start(self) -> None:
        logger.info("job scheduler starting: %s", ", ".join(j.name for j in self.jobs))
        self._scheduler.start()

    def shutdown(self, *, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)


def next_run_after(definition: Job, moment: datetime) -> datetime | None:
    """When the schedule next fires after ``moment`` (UTC)."""
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(definition.schedule, timezone=UTC)
    fire: datetime | None = trigger.get_next_fire_time(None, moment)
    return fire
