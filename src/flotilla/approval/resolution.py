"""Who approves a step: approver resolution through the org tree, the roles and the
per-subsidiary authority matrix.

Resolutions are relative to the requester's primary unit and the record's subsidiary:

- ``user``: that user, while active.
- ``line_manager`` n: climb from the requester's unit through its parents collecting the
  distinct heads (``OrgUnit.manager_id``), skipping units without an (active) head and the
  requester themself; the n-th, or the topmost found when there are fewer.
- ``role`` at ``subsidiary``: active users holding the role on a unit inside the record's
  subsidiary; the holders whose grant sits on the requester's own unit path (the unit or an
  ancestor) are preferred, else every holder in the subsidiary. ``role`` at ``group``:
  holders of the role on the group root.
- ``authority``: the lowest role of the ladder whose limits in the record's subsidiary cover
  every named fact (the policy feature's ``covering_role``), resolved like a role — at the
  group for group-scoped roles (e.g. ``group_sales_vp``), else in the subsidiary.

Segregation of duties: the requester and the record's owner are never approvers. A step
left with nobody escalates — authority resolutions to the next role up their ladder, the
others up the requester's line-manager chain — and a step still without anyone is refused
with ``no_approver``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from flotilla.approval import repository
from flotilla.approval_policy.service import limits_for
from flotilla.approval_policy.steps import covering_role
from flotilla.core import lookup
from flotilla.core.errors import Conflict

# The policy feature's limit look-up: (role code, limit name) → limit.
LimitLookup = Callable[[str, str], Any]


@dataclass(frozen=True)
class ResolvedStep:
    """The approvers of one step, and how they were found."""

    approver_ids: tuple[uuid.UUID, ...]
    escalated: bool = False
    # The authority role the step resolved to (authority resolutions only).
    roles: tuple[str, ...] = ()

    def snapshot(self) -> dict[str, Any]:
        return {"escalated": self.escalated, "roles": list(self.roles)}


@dataclass
class Resolver:
    """Resolves every step of one request. Reads are cached: a request resolves several
    steps against the same chain of heads, grants and limits."""

    session: Session
    requester_id: uuid.UUID
    subsidiary_id: uuid.UUID
    excluded: frozenset[uuid.UUID]
    facts: Mapping[str, Any]
    _chain: list[uuid.UUID] | None = field(default=None, init=False)
    _path_unit_ids: frozenset[uuid.UUID] | None = field(default=None, init=False)
    _limits: LimitLookup | None = field(default=None, init=False)
    _role_scopes: dict[str, str] = field(default_factory=dict, init=False)

    # --- the requester's place in the tree ---------------------------------------------

    def _load_chain(self) -> None:
        requester = repository.user_by_id(self.session, self.requester_id)
        units = []
        if requester is not None:
            unit = lookup.unit_by_id(self.session, requester.primary_unit_id)
            if unit is not None:
                units = repository.units_on_path(self.session, unit.path)
        self._path_unit_ids = frozenset(u.id for u in units)
        heads: list[uuid.UUID] = []
        candidates = [u.manager_id for u in reversed(units) if u.manager_id is not None]
        active = repository.active_user_ids(self.session, candidates)
        for head in candidates:
            if head == self.requester_id or head not in active or head in heads:
                continue
            heads.append(head)
        self._chain = heads

    def line_managers(self) -> list[uuid.UUID]:
        """The requester's distinct active heads, nearest first (never the requester)."""
        if self._chain is None:
            self._load_chain()
        assert self._chain is not None
        return self._chain

    def requester_path(self) -> frozenset[uuid.UUID]:
        if self._path_unit_ids is None:
            self._load_chain()
        assert self._path_unit_ids is not None
        return self._path_unit_ids

    # --- single resolutions -------------------------------------------------------------

    def _eligible(self, user_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        out: list[uuid.UUID] = []
        for user_id in user_ids:
            if user_id not in self.excluded and user_id not in out:
                out.append(user_id)
        return out

    def _line_manager(self, levels: int) -> list[uuid.UUID]:
        chain = self.line_managers()
        if not chain:
            return []
        return [chain[min(levels, len(chain)) - 1]]

    def _role(self, role_code: str, at: str) -> list[uuid.UUID]:
        holders = repository.role_holders(
            self.session,
            role_code,
            subsidiary_id=self.subsidiary_id,
            at_group=at == "group",
        )
        eligible = [h for h in holders if h.user_id not in self.excluded]
        if at != "group":
            path = self.requester_path()
            near = [h for h in eligible if h.unit_id in path]
            if near:
                eligible = near
        return self._eligible([h.user_id for h in eligible])

    def _role_at(self, role_code: str) -> str:
        if role_code not in self._role_scopes:
            self._role_scopes.update(repository.role_scopes(self.session, [role_code]))
        return "group" if self._role_scopes.get(role_code) == "group" else "subsidiary"

    def _limit_lookup(self) -> LimitLookup:
        if self._limits is None:
            self._limits = limits_for(self.session, self.subsidiary_id)
        return self._limits

    def _authority_role(self, resolution: Mapping[str, Any]) -> tuple[list[str], int]:
        ladder = [str(r) for r in resolution.get("ladder", [])]
        limits = [str(n) for n in resolution.get("limits", [])]
        if not ladder:
            return ladder, -1
        chosen = covering_role(ladder, limits, self.facts, self._limit_lookup())
        return ladder, ladder.index(chosen) if chosen in ladder else len(ladder) - 1

    def _resolve(self, resolution: Mapping[str, Any]) -> tuple[list[uuid.UUID], list[str]]:
        kind = resolution.get("type")
        if kind == "user":
            user_id = uuid.UUID(str(resolution["user_id"]))
            active = repository.active_user_ids(self.session, [user_id])
            return self._eligible([user_id] if user_id in active else []), []
        if kind == "line_manager":
            return self._eligible(self._line_manager(int(resolution.get("levels", 1)))), []
        if kind == "role":
            role_code = str(resolution["role"])
            return self._role(role_code, str(resolution.get("at", "subsidiary"))), []
        if kind == "authority":
            ladder, index = self._authority_role(resolution)
            if index < 0:
                return [], []
            role_code = ladder[index]
            return self._role(role_code, self._role_at(role_code)), [role_code]
        raise ValueError(f"unknown approver resolution {kind!r}")

    def _escalate(self, resolution: Mapping[str, Any]) -> tuple[list[uuid.UUID], list[str]]:
        """The first eligible approver above where ``resolution`` found nobody."""
        if resolution.get("type") == "authority":
            ladder, index = self._authority_role(resolution)
            for role_code in ladder[index + 1 :]:
                found = self._role(role_code, self._role_at(role_code))
                if found:
                    return found, [role_code]
            return [], []
        chain = self.line_managers()
        start = 0
        if resolution.get("type") == "line_manager":
            # Up the chain only: above the head that was (or would have been) chosen.
            start = min(int(resolution.get("levels", 1)), len(chain))
        for head in chain[start:]:
            if head not in self.excluded:
                return [head], []
        return [], []

    # --- steps --------------------------------------------------------------------------

    def resolve_step(self, step: Mapping[str, Any]) -> ResolvedStep:
        """Every approver of ``step`` (requester and record owner dropped), escalating when
        that leaves nobody; ``Conflict("no_approver")`` when even escalation finds none."""
        resolutions: list[Mapping[str, Any]] = list(step.get("approvers", []))
        approvers: list[uuid.UUID] = []
        roles: list[str] = []
        for resolution in resolutions:
            found, used_roles = self._resolve(resolution)
            approvers.extend(a for a in found if a not in approvers)
            roles.extend(r for r in used_roles if r not in roles)
        if approvers:
            return ResolvedStep(tuple(approvers), escalated=False, roles=tuple(roles))
        for resolution in resolutions:
            found, used_roles = self._escalate(resolution)
            if found:
                return ResolvedStep(tuple(found), escalated=True, roles=tuple(used_roles))
        # One label for both languages (the messages share their placeholders).
        name = str(step.get("name") or "")
        name_en = str(step.get("name_en") or "")
        raise Conflict("no_approver", step=f"{name} / {name_en}" if name_en else name)
