"""The ``flotilla`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from flotilla.core.settings import get_settings

app = typer.Typer(
    help="Flotilla (集团销售管控平台)", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
user_app = typer.Typer(help="Users", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled jobs (pool reclaim, …)", no_args_is_help=True)
analytics_app = typer.Typer(help="Analytics: the derived tables", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(jobs_app, name="jobs")
app.add_typer(analytics_app, name="analytics")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    workers: int = typer.Option(1, help="Worker processes"),
) -> None:
    """Serve the API and the web app."""
    import uvicorn

    get_settings()  # fail fast on bad settings (e.g. no secret in production)
    uvicorn.run(
        "flotilla.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from flotilla.core.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo("database is up to date")


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    from flotilla.core.migrate import check

    check(get_settings().database_url)
    typer.echo("models and migrations agree")


@app.command()
def demo(
    force: bool = typer.Option(False, "--force", help="Seed even if the database has data"),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing (exit 0) when the database already has data"
    ),
) -> None:
    """Seed the demo group (refuses a non-empty database unless --force)."""
    from flotilla.core.db import make_engine, make_session_factory
    from flotilla.demo import database_is_empty, seed_demo

    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        empty = database_is_empty(session)
    if not empty and if_empty:
        typer.echo("database already has data; demo not seeded")
        return
    if not empty and not force:
        typer.echo("the database is not empty; use --force to seed anyway", err=True)
        raise typer.Exit(code=1)
    try:
        summary = seed_demo(factory, settings.demo_password)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    typer.echo(summary)


@user_app.command("create-admin")
def create_admin(
    username: str = typer.Option(..., prompt=True),
    display_name: str = typer.Option("Administrator", help="Name shown in the app"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a group administrator (creating the group root if there is none)."""
    from flotilla.core.db import make_engine, make_session_factory
    from flotilla.demo import create_admin_user

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        message = create_admin_user(make_session_factory(engine), username, display_name, password)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    typer.echo(message)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 and name the first broken event if tampered."""
    from flotilla.core.audit import verify_chain
    from flotilla.core.db import make_engine, make_session_factory
    from flotilla.core.scope import mark_system_session

    engine = make_engine(get_settings().database_url)
    with make_session_factory(engine)() as session:
        mark_system_session(session)
        result = verify_chain(session)
    engine.dispose()
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} events verified")
        return
    typer.echo(
        f"audit chain BROKEN at event seq={result.broken_seq}: {result.reason} "
        f"({result.checked} events verified before it)",
        err=True,
    )
    raise typer.Exit(code=1)


@jobs_app.command("list")
def jobs_list() -> None:
    """List the registered jobs with their schedule (UTC) and next run."""
    from datetime import UTC, datetime

    from flotilla.core.jobs import next_run_after, registered_jobs

    now = datetime.now(UTC)
    for definition in registered_jobs():
        upcoming = next_run_after(definition, now)
        when = upcoming.strftime("%Y-%m-%d %H:%M UTC") if upcoming else "-"
        typer.echo(
            f"{definition.name:<20} {definition.schedule:<14} next {when}  {definition.description}"
        )


@jobs_app.command("run")
def jobs_run(
    name: str = typer.Argument(..., help="The job to run (see `flotilla jobs list`)"),
) -> None:
    """Run one job now, to completion, and print what it did."""
    from flotilla.core.db import make_engine, make_session_factory
    from flotilla.core.jobs import UnknownJob, run_job

    engine = make_engine(get_settings().database_url)
    try:
        report = run_job(make_session_factory(engine), name)
    except UnknownJob:
        typer.echo(f"no job named {name!r}; see `flotilla jobs list`", err=True)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    typer.echo(report.summary())


@jobs_app.command("worker")
def jobs_worker() -> None:
    """Run every job on its schedule in this process until stopped (Ctrl-C)."""
    import logging

    from flotilla.core.db import make_engine, make_session_factory
    from flotilla.core.jobs import JobScheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engine = make_engine(get_settings().database_url)
    scheduler = JobScheduler(make_session_factory(engine), blocking=True)
    typer.echo("job worker running: " + ", ".join(j.name for j in scheduler.jobs))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()


@analytics_app.command("rebuild-rollups")
def analytics_rebuild_rollups() -> None:
    """Recompute the monthly activity roll-up from the activities (after a bulk load)."""
    from flotilla.activity.rollup import rebuild
    from flotilla.core import audit
    from flotilla.core.db import make_engine, make_session_factory
    from flotilla.core.scope import mark_system_session

    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            mark_system_session(session)
            audit.set_context(session, audit.SYSTEM_CONTEXT)
            rows = rebuild(session)
            session.commit()
    finally:
        engine.dispose()
    typer.echo(f"activity roll-up rebuilt: {rows} rows")


@app.command()
def openapi(output: Path | None = typer.Option(None, help="Write to this file")) -> None:
    """Print (or write) the OpenAPI schema the web client is generated from."""
    from flotilla.core.db import make_engine, make_session_factory
    from flotilla.main import create_app

    schema = create_app(make_session_factory(make_engine("sqlite://"))).openapi()
    text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    app()
