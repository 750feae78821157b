"""The public pool (公海): per-subsidiary rules, claiming from and releasing to the pool,
and reclaiming accounts nobody follows up.

Invariants kept here:

- An account **in the pool** has status ``pool``, no owner, sits in its subsidiary's own
  unit, carries ``pool_entered_at``, and has no active claim. ``return_to_pool`` is the one
  way in (release and reclaim both use it); ``claim`` the one way out from the pool page.
- **Quota**: a rep claims from a subsidiary's pool only while they own fewer than
  ``max_accounts_per_rep`` accounts in that subsidiary.
- **Cool-down**: a rep cannot claim an account again within ``cooldown_days`` of releasing
  or losing it (every release and reclaim writes a ``PoolRelease`` for the previous owner).
- **Exactly one winner**: two reps claiming one account at once — the account row is
  locked (PostgreSQL) or the writers serialized (SQLite) and its status re-read under the
  lock, so the second sees it is no longer in the pool (409 ``not_in_pool``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from flotilla.claim.service import protect
from flotilla.core import audit, clock
from flotilla.core.errors import Conflict, Forbidden, NotFound
from flotilla.core.jobs import JobResult
from flotilla.core.pagination import PageRequest
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.models.customer import Account, PoolRelease, PoolRule
from flotilla.models.org import OrgUnit
from flotilla.pool import repository
from flotilla.pool.schemas import (
    PoolAccountOut,
    PoolClaimOut,
    PoolPage,
    PoolQuotaOut,
    PoolReleaseOut,
    PoolRuleOut,
    PoolRulePut,
    ReleaseRequest,
)

READ = "account.read"
WRITE = "account.write"
ADMIN = "pool.admin"

# Accounts reclaimed per transaction by the reclaim job.
RECLAIM_BATCH_SIZE = 200


@dataclass(frozen=True)
class Rules:
    """The pool rules in force for one subsidiary."""

    protection_days: int
    reclaim_after_days: int
    max_accounts_per_rep: int
    cooldown_days: int
    is_default: bool = False

    @classmethod
    def of(cls, row: PoolRule | None) -> Rules:
        if row is None:
            return DEFAULT_RULES
        return cls(
            protection_days=row.protection_days,
            reclaim_after_days=row.reclaim_after_days,
            max_accounts_per_rep=row.max_accounts_per_rep,
            cooldown_days=row.cooldown_days,
        )


DEFAULT_RULES = Rules(
    protection_days=90,
    reclaim_after_days=30,
    max_accounts_per_rep=200,
    cooldown_days=15,
    is_default=True,
)


def effective_rules(session: Session, subsidiary_id: uuid.UUID) -> Rules:
    """The rules of one subsidiary: its own row, or the defaults when it never set any."""
    return Rules.of(repository.rules_for(session, [subsidiary_id]).get(subsidiary_id))


# --- rules ----------------------------------------------------------------------------------


def _rule_out(unit: OrgUnit, row: PoolRule | None) -> PoolRuleOut:
    rules = Rules.of(row)
    return PoolRuleOut(
        subsidiary_id=unit.id,
        subsidiary_name=unit.name,
        protection_days=rules.protection_days,
        reclaim_after_days=rules.reclaim_after_days,
        max_accounts_per_rep=rules.max_accounts_per_rep,
        cooldown_days=rules.cooldown_days,
        is_default=rules.is_default,
        version=row.version if row is not None else None,
        updated_at=row.updated_at if row is not None else None,
    )


def list_rules(
    session: Session, scope: Scope, page: PageRequest, *, q: str | None = None
) -> tuple[list[PoolRuleOut], str | None, int | None]:
    """The rules of every subsidiary the caller may read (one row each, defaults included)."""
    result = repository.list_rule_subsidiaries(session, scope, page, q=q)
    rows = repository.rules_for(session, (unit.id for unit in result.rows))
    items = [_rule_out(unit, rows.get(unit.id)) for unit in result.rows]
    return items, result.next_cursor, result.total


def get_rules(session: Session, scope: Scope, subsidiary_id: uuid.UUID) -> PoolRuleOut:
    unit = repository.find_rule_subsidiary(session, scope, subsidiary_id)
    if unit is None:
        raise NotFound()
    return _rule_out(unit, repository.rules_for(session, [unit.id]).get(unit.id))


def put_rules(
    session: Session, scope: Scope, subsidiary_id: uuid.UUID, data: PoolRulePut
) -> PoolRuleOut:
    """Set a subsidiary's rules (creating its row on first use). Needs ``pool.admin``
    reaching the subsidiary; ``version`` must be the one last read (``null`` for defaults)."""
    unit = repository.find_rule_subsidiary(session, scope, subsidiary_id)
    if unit is None:
        raise NotFound()
    if not scope.reaches_unit(session, ADMIN, unit.id):
        raise Forbidden()
    row = repository.rules_for(session, [unit.id]).get(unit.id)
    if (row.version if row is not None else None) != data.version:
        raise Conflict("version_conflict")
    values = data.model_dump(exclude={"version"})
    if row is None:
        row = PoolRule(subsidiary_id=unit.id, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return _rule_out(unit, row)


# --- the pool page --------------------------------------------------------------------------


def _cooldown_end(released_at: datetime | None, rules: Rules, now: datetime) -> datetime | None:
    if released_at is None:
        return None
    end = released_at + timedelta(days=rules.cooldown_days)
    return end if end > now else None


def _quota(subsidiary_id: uuid.UUID, name: str, held: int, rules: Rules) -> PoolQuotaOut:
    return PoolQuotaOut(
        subsidiary_id=subsidiary_id,
        subsidiary_name=name,
        held=held,
        max=rules.max_accounts_per_rep,
        remaining=max(rules.max_accounts_per_rep - held, 0),
        cooldown_days=rules.cooldown_days,
    )


def list_pool(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    subsidiary_id: uuid.UUID | None = None,
    q: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
) -> PoolPage:
    """Pool accounts the caller can see, with their own quota per subsidiary they hold a
    position in and, per account, their cool-down end while it runs."""
    result = repository.list_pool(
        session,
        scope,
        page,
        subsidiary_id=subsidiary_id,
        q=q,
        industry=industry,
        region=region,
        tier=tier,
    )
    now = clock.now()
    memberships: dict[uuid.UUID, str] = {}
    for seat in repository.seats_of(session, scope.user_id):
        memberships.setdefault(seat.subsidiary_id, seat.subsidiary_name)
    rows = repository.rules_for(
        session, set(memberships) | {account.subsidiary_id for account in result.rows}
    )
    held = repository.owned_counts(session, scope.user_id, memberships)
    releases = repository.last_releases(session, scope.user_id, (a.id for a in result.rows))
    quotas = sorted(
        (
            _quota(sid, name, held.get(sid, 0), Rules.of(rows.get(sid)))
            for sid, name in memberships.items()
        ),
        key=lambda quota: quota.subsidiary_name,
    )
    room = {quota.subsidiary_id: quota.remaining > 0 for quota in quotas}
    may_claim = scope.has(WRITE)
    items = []
    for account in result.rows:
        rules = Rules.of(rows.get(account.subsidiary_id))
        cooldown_until = _cooldown_end(releases.get(account.id), rules, now)
        items.append(
            PoolAccountOut(
                id=account.id,
                name=account.name,
                name_en=account.name_en,
                industry=account.industry,
                region=account.region,
                tier=account.tier,
                value_class=account.value_class,
                subsidiary_id=account.subsidiary_id,
                pool_entered_at=account.pool_entered_at,
                last_follow_up_at=account.last_follow_up_at,
                cooldown_until=cooldown_until,
                claimable=may_claim
                and room.get(account.subsidiary_id, False)
                and cooldown_until is None,
            )
        )
    return PoolPage(items=items, next_cursor=result.next_cursor, total=result.total, quotas=quotas)


# --- claim and release ----------------------------------------------------------------------


def _format_moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def claim(session: Session, scope: Scope, account_id: uuid.UUID) -> PoolClaimOut:
    """Take an account from the pool of a subsidiary where the caller holds a position.

    Refused with 409 ``pool_cooldown`` (with the date it ends) inside the caller's
    cool-down, 409 ``pool_limit_reached`` when their quota in that subsidiary is used up, and
    409 ``not_in_pool`` when somebody else got it first. The account moves to the caller
    (their seat in that subsidiary) and is protected through the claims service.
    """
    scope.require(WRITE)
    found = repository.find_in_pool_view(session, scope, account_id)
    if found is None:
        # Still in the caller's subsidiary (or sight) but no longer in the pool: a lost race
        # or a stale page. Anything else does not exist for the caller.
        if repository.find_claimable_elsewhere(session, scope, account_id) is None:
            raise NotFound()
        raise Conflict("not_in_pool")
    seat = next(
        (
            s
            for s in repository.seats_of(session, scope.user_id)
            if s.subsidiary_id == found.subsidiary_id
        ),
        None,
    )
    if seat is None:
        raise Forbidden("pool_not_member")
    # Lock order: the rep, then the account (the reclaim job only locks accounts).
    repository.lock_user(session, scope.user_id)
    account = repository.lock_account(session, account_id)
    if account is None or account.status != "pool":
        raise Conflict("not_in_pool")
    rules = effective_rules(session, account.subsidiary_id)
    now = clock.now()
    released_at = repository.last_releases(session, scope.user_id, [account.id]).get(account.id)
    cooldown_until = _cooldown_end(released_at, rules, now)
    if cooldown_until is not None:
        raise Conflict(
            "pool_cooldown",
            until=_format_moment(cooldown_until),
            extra={"cooldown_until": cooldown_until.isoformat()},
        )
    held = repository.owned_counts(session, scope.user_id, [account.subsidiary_id]).get(
        account.subsidiary_id, 0
    )
    if held >= rules.max_accounts_per_rep:
        raise Conflict(
            "pool_limit_reached",
            held=held,
            max=rules.max_accounts_per_rep,
            extra={"held": held, "max": rules.max_accounts_per_rep},
        )
    previous_unit = account.unit_id
    account.status = "owned"
    account.owner_id = scope.user_id
    account.unit_id = seat.unit_id
    account.pool_entered_at = None
    session.flush()
    protection = protect(
        session,
        account=account,
        owner_id=scope.user_id,
        unit_id=seat.unit_id,
        subsidiary_id=account.subsidiary_id,
    )
    audit.record(
        session,
        "pool.claim",
        entity_type="account",
        entity_id=account.id,
        entity_label=account.name,
        unit_id=seat.unit_id,
        subsidiary_id=account.subsidiary_id,
        changes={
            "owner_id": {"before": None, "after": scope.user_id},
            "unit_id": {"before": previous_unit, "after": seat.unit_id},
            "protected_until": {"before": None, "after": protection.protected_until},
        },
    )
    ensure_still_visible(session, scope, Account, READ, account.id)
    return PoolClaimOut(
        account_id=account.id,
        status=account.status,
        owner_id=account.owner_id,
        unit_id=account.unit_id,
        subsidiary_id=account.subsidiary_id,
        version=account.version,
        claim_id=protection.id,
        protected_until=protection.protected_until,
        quota=_quota(account.subsidiary_id, seat.subsidiary_name, held + 1, rules),
    )


def release(
    session: Session, scope: Scope, account_id: uuid.UUID, data: ReleaseRequest
) -> PoolReleaseOut:
    """Give an owned account back to its subsidiary's pool (the owner, or anyone whose
    ``account.write`` reach covers it). The previous owner's cool-down starts now."""
    account = get_visible(session, scope, Account, WRITE, account_id)
    if account.status != "owned":
        raise Conflict("already_in_pool")
    return_to_pool(session, account, now=clock.now(), reason="released", note=data.reason)
    assert account.pool_entered_at is not None
    return PoolReleaseOut(
        account_id=account.id,
        status=account.status,
        unit_id=account.unit_id,
        subsidiary_id=account.subsidiary_id,
        pool_entered_at=account.pool_entered_at,
        version=account.version,
    )


def return_to_pool(
    session: Session,
    account: Account,
    *,
    now: datetime,
    reason: Literal["released", "reclaimed"],
    note: str | None = None,
) -> None:
    """Put an owned account into its subsidiary's pool: end its active claims (``released``
    or ``expired``), drop the owner, place it in the subsidiary unit, start the previous
    owner's cool-down, and record why on the audit trail."""
    claim_status = "released" if reason == "released" else "expired"
    for active in repository.active_claims(session, account.id):
        active.status = claim_status
    previous_owner, previous_unit = account.owner_id, account.unit_id
    last_follow_up_at = account.last_follow_up_at
    account.status = "pool"
    account.owner_id = None
    account.unit_id = account.subsidiary_id
    account.pool_entered_at = now
    if previous_owner is not None:
        session.add(
            PoolRelease(
                account_id=account.id,
                user_id=previous_owner,
                subsidiary_id=account.subsidiary_id,
                released_at=now,
                reason=reason,
            )
        )
    changes: dict[str, object] = {
        "owner_id": {"before": previous_owner, "after": None},
        "unit_id": {"before": previous_unit, "after": account.subsidiary_id},
    }
    if note is not None:
        changes["reason"] = note
    if reason == "reclaimed":
        changes["last_follow_up_at"] = last_follow_up_at
    audit.record(
        session,
        "pool.release" if reason == "released" else "pool.reclaim",
        entity_type="account",
        entity_id=account.id,
        entity_label=account.name,
        unit_id=previous_unit,
        subsidiary_id=account.subsidiary_id,
        changes=changes,
    )


# --- the reclaim job ------------------------------------------------------------------------


def reclaim_idle_accounts(
    session: Session, now: datetime, *, batch_size: int = RECLAIM_BATCH_SIZE
) -> JobResult:
    """Return to the pool every owned account that nobody followed up for its subsidiary's
    ``reclaim_after_days`` (counted from creation if never followed up) and that no claim
    protects any more at ``now``. At most ``batch_size`` accounts per call; ``more`` asks
    for another call. Rows are claimed with SKIP LOCKED and re-checked under the lock, so
    concurrent runs reclaim each account once and a second run finds nothing to do."""
    reclaimed = 0
    for subsidiary_id, row in repository.subsidiaries_with_rules(session):
        rules = Rules.of(row)
        accounts = repository.claim_idle_accounts(
            session,
            subsidiary_id,
            idle_since=now - timedelta(days=rules.reclaim_after_days),
            now=now,
            limit=batch_size - reclaimed,
        )
        for account in accounts:
            return_to_pool(session, account, now=now, reason="reclaimed")
            reclaimed += 1
        if reclaimed >= batch_size:
            return JobResult(processed=reclaimed, more=True, counts={"reclaimed": reclaimed})
    return JobResult(processed=reclaimed, more=False, counts={"reclaimed": reclaimed})
