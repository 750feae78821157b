"""Process settings, read once from the environment (prefix ``FLOTILLA_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEV_SECRET_KEY = "flotilla-development-only-secret"


def default_database_url() -> str:
    return f"sqlite:///{Path('var') / 'flotilla.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOTILLA_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = default_database_url()
    secret_key: str | None = None
    demo_password: str = "flotilla-demo"
    demo_accounts_per_subsidiary: int = 600
    session_hours: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_ip_max_failures: int = 50
    # Argon2 cost: production defaults; tests lower them through the environment.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    cookie_secure: bool = False
    default_locale: Literal["zh-CN", "en-US"] = "zh-CN"
    # Scheduled jobs inside the web server. Unset: on for the embedded SQLite database, off
    # for PostgreSQL (run `flotilla jobs worker` there). Jobs are safe either way.
    run_jobs: bool | None = None

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> Settings:
        if self.env == "production" and not self.secret_key:
            raise ValueError("FLOTILLA_SECRET_KEY must be set when FLOTILLA_ENV=production")
        return self

    @property
    def effective_secret_key(self) -> str:
        return self.secret_key or DEV_SECRET_KEY

    @property
    def jobs_in_process(self) -> bool:
        """Whether the web server runs the job schedule itself."""
        if self.run_jobs is not None:
            return self.run_jobs
        return make_url(self.database_url).get_backend_name() == "sqlite"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
