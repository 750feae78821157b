"""The application factory: one process serves the API and the built web app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from flotilla import __version__
from flotilla.account.router import router as account_router
from flotilla.activity.router import router as activity_router
from flotilla.analytics.router import router as analytics_router
from flotilla.approval.router import router as approval_router
from flotilla.approval_policy.router import router as approval_policy_router
from flotilla.audit.router import router as audit_router
from flotilla.auth.router import router as auth_router
from flotilla.claim.router import router as claim_router
from flotilla.contact.router import router as contact_router
from flotilla.contract.router import router as contract_router
from flotilla.core.db import make_engine, make_session_factory, read_only_factory
from flotilla.core.http import install_error_handlers, request_id
from flotilla.core.jobs import JobScheduler
from flotilla.core.settings import get_settings
from flotilla.forecast.router import router as forecast_router
from flotilla.fx.router import router as fx_router
from flotilla.lead.router import router as lead_router
from flotilla.lead_conversion.router import router as lead_conversion_router
from flotilla.opportunity.router import router as opportunity_router
from flotilla.org.router import router as org_router
from flotilla.pipeline.router import router as pipeline_router
from flotilla.pool.router import router as pool_router
from flotilla.pool.router import rules_router as pool_rules_router
from flotilla.process.router import router as process_router
from flotilla.product.router import router as product_router
from flotilla.quote.router import router as quote_router
from flotilla.receivable.router import router as receivable_router
from flotilla.role.router import router as role_router
from flotilla.target.router import router as target_router
from flotilla.user.router import router as user_router

WEB_DIST = Path(__file__).parent / "web_dist"


def create_app(
    session_factory: sessionmaker[Session] | None = None, *, run_jobs: bool | None = None
) -> FastAPI:
    """Build the app. Tests pass their own session factory; otherwise settings decide.

    ``run_jobs``: run the job schedule in this process (default: ``FLOTILLA_RUN_JOBS``, for
    an app that builds its own database connection; never for a given session factory)."""
    settings = get_settings()
    if run_jobs is None:
        run_jobs = session_factory is None and settings.jobs_in_process
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.database_url))

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> Any:
        scheduler = JobScheduler(running.state.session_factory) if run_jobs else None
        running.state.job_scheduler = scheduler
        if scheduler is not None:
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown()
        bind = session_factory.kw.get("bind")
        if bind is not None and hasattr(bind, "dispose"):
            bind.dispose()

    app = FastAPI(
        title="Flotilla API",
        version=__version__,
        description="集团销售管控平台 — sales-process control for group companies.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.session_factory = session_factory
    app.state.read_session_factory = read_only_factory(session_factory)

    @app.middleware("http")
    async def add_request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request_id(request)
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        return response

    install_error_handlers(app)
    for router in (
        auth_router,
        org_router,
        user_router,
        role_router,
        audit_router,
        claim_router,
        account_router,
        contact_router,
        process_router,
        opportunity_router,
        lead_router,
        lead_conversion_router,
        activity_router,
        pool_router,
        pool_rules_router,
        approval_router,
        approval_policy_router,
        product_router,
        quote_router,
        contract_router,
        receivable_router,
        fx_router,
        target_router,
        analytics_router,
        forecast_router,
        pipeline_router,
    ):
        app.include_router(router)

    @app.get("/healthz", tags=["ops"], include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], include_in_schema=False)
    def readyz() -> JSONResponse:
        try:
            with session_factory() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    _mount_web_app(app)
    return app


def _mount_web_app(app: FastAPI) -> None:
    """Serve the built single-page app at ``/`` with client-side routes falling back to it."""
    index = WEB_DIST / "index.html"
    assets = WEB_DIST / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def spa(path: str) -> Response:
        if path.startswith("api/"):
            raise StarletteHTTPException(status_code=404)
        candidate = (WEB_DIST / path).resolve()
        if path and candidate.is_file() and WEB_DIST.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return JSONResponse(
            {"status": "the web app is not built; run `make web`", "api": "/api/docs"},
            status_code=404,
        )
