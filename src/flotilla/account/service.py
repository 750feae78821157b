"""Accounts: the one group-wide customer registry.

Invariants this module keeps:

* An account's ``name_key`` is ``normalize_name(name)`` and its ``account_search_key`` rows
  are ``search_keys(name, name_en)``; both are rewritten whenever a name changes.
* Nobody creates a duplicate unknowingly: a USCC already in the group, or a name whose
  normalized form scores at least ``DUPLICATE_THRESHOLD`` against an existing account,
  refuses the create (409 ``duplicate_account``). Only a caller holding
  ``account.force_create`` may override a *name* match, with a reason that is stored and
  audited; a USCC is unique group-wide and is never overridden.
* Duplicate reports cover the whole group, but a match the caller cannot see is reported
  only as "exists in another subsidiary" — never by id, name, owner or unit.
* Every new account starts with an active claim (报备) for its owner and unit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from flotilla.account import repository
from flotilla.account.schemas import (
    AccountCreate,
    AccountOut,
    AccountTransfer,
    AccountUpdate,
    DuplicateMatchOut,
    DuplicatesOut,
)
from flotilla.account.search import (
    digits_only,
    email_key,
    name_key_prefix,
    normalize_name,
    search_keys,
)
from flotilla.approval import gate
from flotilla.claim import service as claims
from flotilla.claim.schemas import ClaimOut
from flotilla.core import audit, clock, lookup
from flotilla.core.errors import Conflict, Forbidden, Invalid, field_error
from flotilla.core.i18n import DEFAULT_LOCALE, Locale, translate
from flotilla.core.list_filters import ANY_DAY, DayRange
from flotilla.core.pagination import PageRequest, RowPage
from flotilla.core.scope import Scope, ensure_still_visible, get_visible
from flotilla.core.validators import is_valid_uscc, normalize_uscc
from flotilla.models.customer import Account
from flotilla.models.org import OrgUnit

READ = "account.read"
WRITE = "account.write"
TRANSFER = "account.transfer"
FORCE_CREATE = "account.force_create"

# rapidfuzz ``fuzz.ratio`` (0-100, an edit similarity) between normalized names at or above
# which two names are treated as the same company. 88 catches one added or dropped
# character in names of 4+ characters (华为技术 / 华为技术部: 89) and one changed character
# in names of 8+ (huaweitechnologies / huaweitechnology: 88), while 华为技术 / 华为科技 (75)
# and 华为技术 / 华为终端 (50) stay apart.
DUPLICATE_THRESHOLD = 88
# Strongest evidence first, when one account matches for several reasons.
_REASON_RANK = {
    "uscc": 0,
    "name_exact": 1,
    "contact_phone": 2,
    "contact_email": 3,
    "name_fuzzy": 4,
}
_NAME_REASONS = frozenset({"uscc", "name_exact", "name_fuzzy"})
_MAX_PARENT_DEPTH = 50


@dataclass(frozen=True)
class DuplicateMatch:
    """An unmasked match; never returned to a caller as is (see ``describe_matches``)."""

    account: Account
    reason: str
    score: int


# --- reading ---------------------------------------------------------------------------


def present(session: Session, scope: Scope, accounts: Sequence[Account]) -> list[AccountOut]:
    """Render accounts with a fixed number of queries for the whole page."""
    units = lookup.units_by_id(
        session, [a.unit_id for a in accounts] + [a.subsidiary_id for a in accounts]
    )
    owners = lookup.user_names(session, (a.owner_id for a in accounts if a.owner_id))
    active = claims.active_claims_of(session, (a.id for a in accounts))
    now = clock.now()
    out = []
    for account in accounts:
        claim = active.get(account.id)
        out.append(
            AccountOut(
                id=account.id,
                name=account.name,
                name_en=account.name_en,
                uscc=account.uscc,
                industry=account.industry,
                region=account.region,
                tier=account.tier,
                value_class=account.value_class,
                parent_account_id=account.parent_account_id,
                status=account.status,
                external_id=account.external_id,
                subsidiary_id=account.subsidiary_id,
                subsidiary_name=units[account.subsidiary_id].name,
                unit_id=account.unit_id,
                unit_name=units[account.unit_id].name,
                owner_id=account.owner_id,
                owner_name=owners.get(account.owner_id) if account.owner_id else None,
                created_by_id=account.created_by_id,
                force_reason=account.force_reason,
                last_follow_up_at=account.last_follow_up_at,
                pool_entered_at=account.pool_entered_at,
                claim=ClaimOut.model_validate(claim) if claim is not None else None,
                is_protected=claim is not None and claim.protected_until > now,
                version=account.version,
                created_at=account.created_at,
                updated_at=account.updated_at,
            )
        )
    return out


def list_accounts(
    session: Session,
    scope: Scope,
    page: PageRequest,
    *,
    q: str | None = None,
    tier: str | None = None,
    value_class: str | None = None,
    subsidiary_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: str | None = None,
    unit_id: uuid.UUID | None = None,
    created: DayRange = ANY_DAY,
) -> RowPage[Account]:
    return repository.list_accounts(
        session,
        scope,
        READ,
        page,
        q=q,
        tier=tier,
        value_class=value_class,
        subsidiary_id=subsidiary_id,
        owner_id=owner_id,
        status=status,
        unit_id=unit_id,
        created=created,
    )


def get_account(session: Session, scope: Scope, account_id: uuid.UUID) -> Account:
    return get_visible(session, scope, Account, READ, account_id)


# --- duplicates ------------------------------------------------------------------------


def find_duplicates(
    session: Session,
    *,
    names: Iterable[str | None] = (),
    uscc: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    exclude_account_id: uuid.UUID | None = None,
) -> list[DuplicateMatch]:
    """Group-wide suspected duplicates, strongest first, one entry per account.

    Candidates come only from indexes: the USCC, ``name_key`` equality, a ``k:`` prefix
    range on the search keys (the first characters of the normalized name), and contact
    ``phone_key`` / ``email_key``; names are then scored with rapidfuzz.
    """
    best: dict[uuid.UUID, DuplicateMatch] = {}

    def offer(account: Account, reason: str, score: int) -> None:
        if account.id == exclude_account_id:
            return
        current = best.get(account.id)
        rank = (_REASON_RANK[reason], -score)
        if current is None or rank < (_REASON_RANK[current.reason], -current.score):
            best[account.id] = DuplicateMatch(account=account, reason=reason, score=score)

    if uscc:
        for account in repository.by_uscc(session, uscc):
            offer(account, "uscc", 100)
    for name in {n for n in names if n}:
        key = normalize_name(name)
        if not key:
            continue
        for account in repository.name_candidates(session, key, name_key_prefix(key)):
            known = {account.name_key}
            if account.name_en:
                known.add(normalize_name(account.name_en))
            known.discard("")
            if key in known:
                offer(account, "name_exact", 100)
                continue
            score = round(max(fuzz.ratio(key, other) for other in known)) if known else 0
            if score >= DUPLICATE_THRESHOLD:
                offer(account, "name_fuzzy", score)
    phone_key = digits_only(phone)
    if phone_key:
        for account in repository.by_contact_phone(session, phone_key):
            offer(account, "contact_phone", 100)
    mail_key = email_key(email)
    if mail_key:
        for account in repository.by_contact_email(session, mail_key):
            offer(account, "contact_email", 100)
    return sorted(
        best.values(),
        key=lambda m: (-m.score, _REASON_RANK[m.reason], m.account.id.hex),
    )


def describe_matches(
    session: Session,
    scope: Scope,
    matches: Sequence[DuplicateMatch],
    locale: Locale = DEFAULT_LOCALE,
) -> list[DuplicateMatchOut]:
    """Mask matches for the caller: full detail only for accounts they can see."""
    visible = repository.visible_ids(session, scope, READ, (m.account.id for m in matches))
    units = lookup.units_by_id(
        session,
        [m.account.subsidiary_id for m in matches]
        + [m.account.unit_id for m in matches if m.account.id in visible],
    )
    owners = lookup.user_names(
        session,
        (m.account.owner_id for m in matches if m.account.id in visible and m.account.owner_id),
    )
    acting_subsidiary = (
        claims.subsidiary_of(claims.acting_unit(session, scope)) if matches else None
    )
    out = []
    for match in matches:
        account = match.account
        subsidiary_name = units[account.subsidiary_id].name
        if account.id not in visible:
            code = (
                "duplicate_hidden_same_subsidiary"
                if account.subsidiary_id == acting_subsidiary
                else "duplicate_hidden_other_subsidiary"
            )
            out.append(
                DuplicateMatchOut(
                    visible=False,
                    reason=match.reason,
                    score=match.score,
                    subsidiary_name=subsidiary_name,
                    message=translate(code, locale, subsidiary=subsidiary_name),
                )
            )
            continue
        out.append(
            DuplicateMatchOut(
                visible=True,
                reason=match.reason,
                score=match.score,
                subsidiary_name=subsidiary_name,
                id=account.id,
                name=account.name,
                name_en=account.name_en,
                uscc=account.uscc,
                subsidiary_id=account.subsidiary_id,
                unit_id=account.unit_id,
                unit_name=units[account.unit_id].name,
                owner_id=account.owner_id,
                owner_name=owners.get(account.owner_id) if account.owner_id else None,
            )
        )
    return out


def check_duplicates(
    session: Session,
    scope: Scope,
    *,
    name: str | None = None,
    name_en: str | None = None,
    uscc: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    locale: Locale = DEFAULT_LOCALE,
) -> DuplicatesOut:
    """Suspected duplicates across the whole group, masked for the caller."""
    scope.require(READ)
    if not any((name, name_en, uscc, phone, email)):
        raise Invalid(fields=[field_error("name", "missing")])
    matches = find_duplicates(
        session, names=(name, name_en), uscc=_clean_uscc(uscc), phone=phone, email=email
    )
    return DuplicatesOut(
        threshold=DUPLICATE_THRESHOLD,
        matches=describe_matches(session, scope, matches, locale),
    )


def _refuse_duplicates(
    session: Session,
    scope: Scope,
    *,
    names: Iterable[str | None],
    uscc: str | None,
    unit: OrgUnit,
    force_reason: str | None,
    exclude_account_id: uuid.UUID | None,
    locale: Locale,
) -> list[DuplicateMatch]:
    """Raise 409 ``duplicate_account`` for a USCC or name match, unless a name-only match is
    forced by a caller with ``account.force_create`` over ``unit``. Returns the matches
    that were forced past (empty when there were none)."""
    matches = [
        m
        for m in find_duplicates(
            session, names=names, uscc=uscc, exclude_account_id=exclude_account_id
        )
        if m.reason in _NAME_REASONS
    ]
    if not matches:
        return []
    uscc_taken = any(m.reason == "uscc" for m in matches)
    can_force = (
        not uscc_taken
        and scope.has(FORCE_CREATE)
        and claims.unit_in_reach(session, scope, FORCE_CREATE, unit.id)
    )
    if force_reason and can_force:
        return matches
    described = describe_matches(session, scope, matches, locale)
    raise Conflict(
        "duplicate_account",
        fields=[field_error("uscc" if uscc_taken else "name", "duplicate")],
        extra={
            "matches": [m.model_dump(mode="json", exclude_none=True) for m in described],
            "can_force": can_force,
            "threshold": DUPLICATE_THRESHOLD,
        },
    )


def _audit_forced(
    session: Session, account: Account, reason: str, forced: list[DuplicateMatch]
) -> None:
    audit.record(
        session,
        "account.force_create",
        entity_type="account",
        entity_id=account.id,
        entity_label=account.name,
        unit_id=account.unit_id,
        subsidiary_id=account.subsidiary_id,
        changes={
            "force_reason": reason,
            "duplicates": [
                {"reason": m.reason, "score": m.score, "subsidiary_id": m.account.subsidiary_id}
                for m in forced
            ],
        },
    )


# --- writing ---------------------------------------------------------------------------


def _clean_uscc(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    normalized = normalize_uscc(value)
    if not is_valid_uscc(normalized):
        raise Invalid(fields=[field_error("uscc", "invalid_uscc")])
    return normalized


def _name_key(name: str) -> str:
    key = normalize_name(name)
    if not key:
        raise Invalid(fields=[field_error("name", "invalid_account_name")])
    return key


def _placement_unit(
    session: Session, scope: Scope, permission: str, unit_id: uuid.UUID | None
) -> OrgUnit:
    """The unit a record goes to: the given one, else the caller's primary unit. A unit the
    caller cannot see is an unknown reference; one they see but cannot write is refused."""
    if unit_id is None:
        unit = claims.acting_unit(session, scope)
    else:
        found = lookup.units_by_id(session, [unit_id]).get(unit_id)
        if found is None or not (
            claims.unit_in_reach(session, scope, "org.read", unit_id)
            or claims.unit_in_reach(session, scope, permission, unit_id)
        ):
            raise Invalid(fields=[field_error("unit_id", "unknown_reference")])
        unit = found
    if not claims.unit_in_reach(session, scope, permission, unit.id):
        raise Forbidden("out_of_scope")
    if claims.subsidiary_of(unit) is None or not unit.is_active:
        raise Invalid(fields=[field_error("unit_id", "account_unit_not_in_subsidiary")])
    return unit


def _owner_for(
    session: Session, scope: Scope, permission: str, owner_id: uuid.UUID | None, unit: OrgUnit
) -> uuid.UUID:
    """The owner of a placed account: the caller by default; anyone else must be an active
    user the caller reaches who holds a position in ``unit`` or below it."""
    if owner_id is None or owner_id == scope.user_id:
        return scope.user_id
    if repository.user_within(session, scope, permission, owner_id) is None:
        raise Invalid(fields=[field_error("owner_id", "unknown_reference")])
    if not repository.user_sits_under(session, owner_id, unit):
        raise Invalid(fields=[field_error("owner_id", "owner_not_in_unit")])
    return owner_id


def _check_parent(
    session: Session, scope: Scope, parent_id: uuid.UUID, account_id: uuid.UUID | None
) -> None:
    """The parent company must be an account the caller sees, and not the account itself
    or one of its own subsidiaries (no cycles)."""
    if parent_id == account_id:
        raise Invalid(fields=[field_error("parent_account_id", "account_parent_cycle")])
    parent = get_visible_or_none(session, scope, parent_id)
    if parent is None:
        raise Invalid(fields=[field_error("parent_account_id", "unknown_reference")])
    if account_id is None:
        return
    ancestor_id = parent.parent_account_id
    for _ in range(_MAX_PARENT_DEPTH):
        if ancestor_id is None:
            return
        if ancestor_id == account_id:
            raise Invalid(fields=[field_error("parent_account_id", "account_parent_cycle")])
        ancestor_id = repository.parent_of(session, ancestor_id)
    raise Invalid(fields=[field_error("parent_account_id", "account_parent_cycle")])


def get_visible_or_none(session: Session, scope: Scope, account_id: uuid.UUID) -> Account | None:
    return repository.visible_account(session, scope, READ, account_id)


def create_account(
    session: Session, scope: Scope, data: AccountCreate, *, locale: Locale = DEFAULT_LOCALE
) -> Account:
    """Create an account for the caller (or an owner/unit they reach).

    Runs the duplicate check (409 ``duplicate_account`` unless forced, see the module
    docstring), writes the search keys and gives the owner an active claim. The new account
    must be inside the caller's ``account.write`` reach.
    """
    scope.require(WRITE)
    unit = _placement_unit(session, scope, WRITE, data.unit_id)
    owner_id = _owner_for(session, scope, WRITE, data.owner_id, unit)
    subsidiary_id = unit.id if unit.kind == "subsidiary" else unit.subsidiary_id
    assert subsidiary_id is not None
    uscc = _clean_uscc(data.uscc)
    name_key = _name_key(data.name)
    if data.parent_account_id is not None:
        _check_parent(session, scope, data.parent_account_id, None)
    if data.external_id and repository.external_id_taken(session, subsidiary_id, data.external_id):
        raise Conflict("duplicate", fields=[field_error("external_id", "duplicate")])
    forced = _refuse_duplicates(
        session,
        scope,
        names=(data.name, data.name_en),
        uscc=uscc,
        unit=unit,
        force_reason=data.force_reason,
        exclude_account_id=None,
        locale=locale,
    )
    account = Account(
        name=data.name,
        name_en=data.name_en or None,
        name_key=name_key,
        uscc=uscc,
        industry=data.industry,
        region=data.region,
        tier=data.tier,
        value_class=data.value_class,
        parent_account_id=data.parent_account_id,
        status="owned",
        external_id=data.external_id or None,
        force_reason=data.force_reason if forced else None,
        created_by_id=scope.user_id,
        subsidiary_id=subsidiary_id,
        unit_id=unit.id,
        owner_id=owner_id,
    )
    session.add(account)
    session.flush()
    repository.replace_search_keys(session, account.id, search_keys(account.name, account.name_en))
    claims.protect(
        session, account=account, owner_id=owner_id, unit_id=unit.id, subsidiary_id=subsidiary_id
    )
    if forced and data.force_reason:
        _audit_forced(session, account, data.force_reason, forced)
    ensure_still_visible(session, scope, Account, WRITE, account.id)
    return account


def update_account(
    session: Session,
    scope: Scope,
    account_id: uuid.UUID,
    data: AccountUpdate,
    *,
    locale: Locale = DEFAULT_LOCALE,
) -> Account:
    """Edit an account's master data (owner and unit change only by transfer or claim).

    A changed name or USCC runs the duplicate check again; a changed name rewrites the
    search keys. Touching an account another subsidiary protects is a claim conflict.
    """
    account = get_visible(session, scope, Account, WRITE, account_id)
    if account.version != data.version:
        raise Conflict("version_conflict")
    changes = data.model_dump(exclude_unset=True, exclude={"version", "force_reason"})
    for key in ("name", "tier", "value_class"):
        if key in changes and changes[key] is None:
            raise Invalid(fields=[field_error(key, "missing")])
    claims.guard_protection(session, scope, account, "account.update")
    if "uscc" in changes:
        changes["uscc"] = _clean_uscc(changes["uscc"])
    for key in ("name_en", "external_id"):
        if key in changes and not changes[key]:
            changes[key] = None
    if changes.get("parent_account_id") is not None:
        _check_parent(session, scope, changes["parent_account_id"], account.id)
    if changes.get("external_id") and repository.external_id_taken(
        session, account.subsidiary_id, changes["external_id"], exclude_id=account.id
    ):
        raise Conflict("duplicate", fields=[field_error("external_id", "duplicate")])
    name = changes.get("name", account.name)
    name_en = changes.get("name_en", account.name_en)
    uscc = changes.get("uscc", account.uscc)
    names_changed = name != account.name or name_en != account.name_en
    forced: list[DuplicateMatch] = []
    if names_changed or uscc != account.uscc:
        unit = lookup.units_by_id(session, [account.unit_id])[account.unit_id]
        forced = _refuse_duplicates(
            session,
            scope,
            names=(name, name_en) if names_changed else (),
            uscc=uscc if uscc != account.uscc else None,
            unit=unit,
            force_reason=data.force_reason,
            exclude_account_id=account.id,
            locale=locale,
        )
    if name != account.name:
        changes["name_key"] = _name_key(name)
    for key, value in changes.items():
        setattr(account, key, value)
    if forced and data.force_reason:
        account.force_reason = data.force_reason
    session.flush()
    if names_changed:
        repository.replace_search_keys(session, account.id, search_keys(name, name_en))
    if forced and data.force_reason:
        _audit_forced(session, account, data.force_reason, forced)
    return account


def transfer_account(
    session: Session, scope: Scope, account_id: uuid.UUID, data: AccountTransfer
) -> Account:
    """Hand an account to another owner and unit (移交), with a reason on the audit trail.

    Needs ``account.transfer`` over the account, the target unit and the new owner; the new
    holder gets a fresh claim, and the account must stay inside the caller's reach. When an
    ``account.transfer`` policy applies, the transfer waits for its approval (409
    ``approval_pending``) and consumes it once made.
    """
    scope.require(TRANSFER)
    account = get_visible(session, scope, Account, TRANSFER, account_id)
    if data.version is not None and data.version != account.version:
        raise Conflict("version_conflict")
    unit = _placement_unit(session, scope, TRANSFER, data.unit_id)
    owner_id = _owner_for(session, scope, TRANSFER, data.owner_id, unit)
    # Before anything is written: a pending approval keeps only the approval request. The
    # facts (FX conversions of the open pipeline) are only worked out when a policy exists.
    approval = None
    if gate.policy_may_apply(session, action=TRANSFER, subsidiary_id=account.subsidiary_id):
        approval = gate.require_approval(
            session,
            scope,
            action=TRANSFER,
            record=account,
            label=account.name,
            facts={
                "account.tier": account.tier,
                "account.value_class": account.value_class,
                "cross_subsidiary": claims.subsidiary_of(unit) != account.subsidiary_id,
                "open_pipeline_base": gate.open_pipeline_base(
                    session, account.id, account.subsidiary_id, field="unit_id"
                ),
            },
        )
    before = {
        "owner_id": account.owner_id,
        "unit_id": account.unit_id,
        "subsidiary_id": account.subsidiary_id,
    }
    if account.status == "pool":
        account.status = "owned"
        account.pool_entered_at = None
    claim = claims.reassign_account(session, account, owner_id=owner_id, unit=unit)
    if approval is not None:
        gate.consume(session, approval)
    audit.record(
        session,
        "account.transfer",
        entity_type="account",
        entity_id=account.id,
        entity_label=account.name,
        unit_id=account.unit_id,
        subsidiary_id=account.subsidiary_id,
        changes={
            **{
                key: {"before": value, "after": getattr(account, key)}
                for key, value in before.items()
            },
            "reason": data.reason,
            "protected_until": claim.protected_until,
        },
    )
    ensure_still_visible(session, scope, Account, TRANSFER, account.id)
    return account
