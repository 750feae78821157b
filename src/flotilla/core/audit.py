"""The audit kernel: one append-only, hash-chained event stream.

Every flush that inserts, updates or deletes an ``Audited`` row appends one event per row
in the same transaction (a session listener, so no service can forget). Appends are
serialized by updating the single chain-head row first: PostgreSQL takes a row lock, SQLite
takes its one writer lock, so two transactions never chain onto the same previous hash.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import History
from sqlalchemy.orm.base import NO_VALUE

from flotilla.core import clock
from flotilla.core.db import Audited, IdMixin
from flotilla.core.ids import new_id
from flotilla.models.audit import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HEAD_ROW_ID = 1
REDACTED = "***"
SYSTEM_ACTOR_NAME = "system"


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, from where. Every writing session carries one."""

    actor_id: uuid.UUID | None
    actor_name: str
    request_id: str | None = None
    client_ip: str | None = None


SYSTEM_CONTEXT = AuditContext(actor_id=None, actor_name=SYSTEM_ACTOR_NAME)
_CONTEXT_KEY = "flotilla.audit_context"
_PENDING_KEY = "flotilla.audit_pending"


def set_context(session: Session, context: AuditContext) -> None:
    session.info[_CONTEXT_KEY] = context


def get_context(session: Session) -> AuditContext:
    context = session.info.get(_CONTEXT_KEY)
    if context is None:
        raise RuntimeError(
            "this session writes audited rows but has no audit context; "
            "call flotilla.core.audit.set_context (system jobs use SYSTEM_CONTEXT)"
        )
    assert isinstance(context, AuditContext)
    return context


def canonical_value(value: Any) -> Any:
    """A driver-independent JSON form: fixed formats for times, decimals and ids."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, Decimal):
        normalized = value.normalize()
        return format(normalized, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical_value(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set | frozenset) else items
    return str(value)


def event_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(
        canonical_value(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def hashed_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The fields an event's hash covers (everything but the hash itself)."""
    return {
        "seq": event["seq"],
        "id": event["id"],
        "occurred_at": event["occurred_at"],
        "actor_id": event["actor_id"],
        "actor_name": event["actor_name"],
        "action": event["action"],
        "entity_type": event["entity_type"],
        "entity_id": event["entity_id"],
        "entity_label": event["entity_label"],
        "unit_id": event["unit_id"],
        "subsidiary_id": event["subsidiary_id"],
        "changes": event["changes"],
        "request_id": event["request_id"],
        "client_ip": event["client_ip"],
        "prev_hash": event["prev_hash"],
    }


def record(
    session: Session,
    action: str,
    *,
    entity_type: str | None = None,
    entity_id: uuid.UUID | None = None,
    entity_label: str | None = None,
    unit_id: uuid.UUID | None = None,
    subsidiary_id: uuid.UUID | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Queue an explicit event (login, export, transition …) for this transaction."""
    session.info.setdefault(_PENDING_KEY, []).append(
        {
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "entity_label": entity_label,
            "unit_id": unit_id,
            "subsidiary_id": subsidiary_id,
            "changes": changes or {},
        }
    )
    session.flush()
    append_pending(session)


def _entity_type(instance: Audited) -> str:
    return str(instance.__tablename__)  # type: ignore[attr-defined]


def _column_changes(instance: Audited, kind: str) -> dict[str, Any]:
    state = inspect(instance)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in instance.audit_exclude:
            continue
        history: History = state.attrs[key].history
        if kind == "create":
            value = state.attrs[key].value
            if value is None or value is NO_VALUE:
                continue
            changes[key] = {"before": None, "after": value}
        elif kind == "delete":
            before = (
                history.unchanged[0]
                if history.unchanged
                else (history.deleted[0] if history.deleted else None)
            )
            changes[key] = {"before": before, "after": None}
        else:
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
            changes[key] = {"before": before, "after": after}
        if key in instance.audit_redact:
            changes[key] = {
                "before": REDACTED if changes[key]["before"] is not None else None,
                "after": REDACTED if changes[key]["after"] is not None else None,
            }
    return changes


def _collect_flush_events(session: Session, _flush_context: Any, _instances: Any) -> None:
    events = session.info.setdefault(_PENDING_KEY, [])
    for kind, instances in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for instance in instances:
            if not isinstance(instance, Audited):
                continue
            if kind == "update" and not session.is_modified(instance, include_collections=False):
                continue
            if kind == "create" and isinstance(instance, IdMixin) and instance.id is None:
                # The column default would only run inside the flush, after this event is
                # built; assign the id now so the create event names its row.
                instance.id = new_id()
            changes = _column_changes(instance, kind)
            if kind == "update" and not changes:
                continue
            events.append(
                {
                    "action": f"{_entity_type(instance)}.{kind}",
                    "entity_type": _entity_type(instance),
                    "entity_id": getattr(instance, "id", None),
                    "entity_label": instance.audit_label(),
                    "unit_id": instance.audit_unit_id(),
                    "subsidiary_id": instance.audit_subsidiary_id(),
                    "changes": changes,
                }
            )


def _after_flush(session: Session, _flush_context: Any) -> None:
    append_pending(session)


def append_pending(session: Session) -> None:
    """Write queued events onto the chain, locking the head first."""
    pending: list[dict[str, Any]] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    context = get_context(session)
    connection = session.connection()
    head = connection.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ROW_ID)
        .values(last_seq=AuditChainHead.last_seq + len(pending))
        .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
    ).one()
    seq = head.last_seq - len(pending)
    prev_hash = head.last_hash
    occurred_at = clock.now()
    rows = []
    for item in pending:
        seq += 1
        event = {
            "seq": seq,
            "id": new_id(),
            "occurred_at": occurred_at,
            "actor_id": context.actor_id,
            "actor_name": context.actor_name,
            "action": item["action"],
            "entity_type": item["entity_type"],
            "entity_id": item["entity_id"],
            "entity_label": str(item["entity_label"])[:300] if item["entity_label"] else None,
            "unit_id": item["unit_id"],
            "subsidiary_id": item["subsidiary_id"],
            "changes": canonical_value(item["changes"]),
            "request_id": context.request_id,
            "client_ip": context.client_ip,
            "prev_hash": prev_hash,
        }
        event["hash"] = event_hash(prev_hash, hashed_fields(event))
        prev_hash = event["hash"]
        rows.append(event)
    connection.execute(insert(AuditEvent), rows)
    connection.execute(
        update(AuditChainHead).where(AuditChainHead.id == HEAD_ROW_ID).values(last_hash=prev_hash)
    )


def _before_commit(session: Session) -> None:
    session.flush()
    append_pending(session)


def _discard_pending(session: Session, _previous_transaction: Any) -> None:
    # Events queued by a flush that failed describe writes the rollback just undid; they
    # must not be appended by the session's next transaction.
    session.info.pop(_PENDING_KEY, None)


def install(session_class: type[Session]) -> None:
    """Attach the audit listeners to a session class (done once, at import of the app)."""
    if not event.contains(session_class, "before_flush", _collect_flush_events):
        event.listen(session_class, "before_flush", _collect_flush_events)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "before_commit", _before_commit)
    if not event.contains(session_class, "after_soft_rollback", _discard_pending):
        event.listen(session_class, "after_soft_rollback", _discard_pending)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None


def verify_chain(session: Session, batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in order; name the first event that does not fit the chain."""
    head = session.execute(
        select(AuditChainHead).execution_options(flotilla_system=True)
    ).scalar_one_or_none()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        batch = (
            session.execute(
                select(AuditEvent.__table__)
                .where(AuditEvent.seq >= expected_seq)
                .order_by(AuditEvent.seq)
                .limit(batch_size)
            )
            .mappings()
            .all()
        )
        if not batch:
            break
        for row in batch:
            event = dict(row)
            if event["seq"] != expected_seq:
                return VerifyResult(
                    False, checked, expected_seq, f"event {expected_seq} is missing"
                )
            if event["prev_hash"] != expected_prev:
                return VerifyResult(
                    False, checked, event["seq"], "previous-hash link does not match"
                )
            recomputed = event_hash(event["prev_hash"], hashed_fields(event))
            if recomputed != event["hash"]:
                return VerifyResult(False, checked, event["seq"], "content does not match its hash")
            expected_prev = event["hash"]
            expected_seq += 1
            last_seq = event["seq"]
            checked += 1
    if head is None:
        return VerifyResult(False, checked, None, "the chain head row is missing")
    if head.last_seq != last_seq or head.last_hash != expected_prev:
        return VerifyResult(
            False,
            checked,
            last_seq + 1,
            f"chain head says {head.last_seq} events but {last_seq} are present "
            "(events after the last intact one were removed)",
        )
    return VerifyResult(True, checked)
