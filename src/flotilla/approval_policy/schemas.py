"""Request and response bodies of approval policies, the registry and the authority matrix.

Conditions and steps are JSON documents in their own small languages
(``approval_policy.rules`` / ``approval_policy.steps``); the schemas accept any JSON value
there and the service validates them, so every problem is reported with its exact path
(``condition.any[1].field``, ``steps[0].approvers[0].levels``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from flotilla.core.schemas import InputModel, OutputModel

# Any JSON value; documented as the object / list the languages expect.
ConditionJson = Annotated[Any, WithJsonSchema({"type": "object", "additionalProperties": True})]
StepsJson = Annotated[
    Any,
    WithJsonSchema({"type": "array", "items": {"type": "object", "additionalProperties": True}}),
]
FactsJson = Annotated[
    dict[str, Any], WithJsonSchema({"type": "object", "additionalProperties": True})
]
PolicyCode = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
]
Priority = Annotated[int, Field(ge=0, le=100000)]
# A limit in the matrix: a decimal string ("10.00"), an integer (payment_days), or null.
LimitValue = str | int | None


# --- the registry ---------------------------------------------------------------------------


class ActionFieldOut(OutputModel):
    name: str
    type: str
    label: str
    label_en: str
    choices: list[str]


class ActionOut(OutputModel):
    code: str
    record_type: str
    name: str
    name_en: str
    fields: list[ActionFieldOut]


class AuthorityLimitDefOut(OutputModel):
    name: str
    type: str
    label: str
    label_en: str
    # The fact of the guarded record this limit is compared with in authority steps.
    covers_fact: str


class ApprovalActionsOut(OutputModel):
    actions: list[ActionOut]
    authority_limits: list[AuthorityLimitDefOut]
    operators: list[str]
    step_modes: list[str]
    resolution_types: list[str]


# --- policies -------------------------------------------------------------------------------


class PolicyCreate(InputModel):
    code: PolicyCode
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    action: str = Field(min_length=1, max_length=64)
    subsidiary_id: uuid.UUID | None = None
    priority: Priority = 100
    condition: ConditionJson
    steps: StepsJson


class PolicyUpdate(InputModel):
    """Change a policy; ``version`` is the one last read. The guarded action is fixed."""

    version: int
    code: PolicyCode | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    subsidiary_id: uuid.UUID | None = None
    priority: Priority | None = None
    condition: ConditionJson = None
    steps: StepsJson = None
    is_active: bool | None = None


class PolicyDeactivate(InputModel):
    version: int | None = None


class PolicyOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    description: str | None
    action: str
    action_name: str
    action_name_en: str
    subsidiary_id: uuid.UUID | None
    subsidiary_name: str | None
    priority: int
    condition: dict[str, Any]
    steps: list[Any]
    read_fields: list[str]
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class EvaluateRequest(InputModel):
    action: str = Field(min_length=1, max_length=64)
    subsidiary_id: uuid.UUID
    facts: FactsJson = Field(default_factory=dict)


class CandidateOut(OutputModel):
    """One active policy considered, in the order the engine considers them."""

    policy_id: uuid.UUID
    code: str
    name: str
    priority: int
    subsidiary_id: uuid.UUID | None
    matched: bool


class ResolvedApproverOut(OutputModel):
    """An approver resolution of the matched policy, with the role an authority ladder
    reaches for these facts in this subsidiary (``role`` for other kinds: as configured)."""

    step_index: int
    step_name: str
    type: str
    role: str | None


class EvaluateOut(OutputModel):
    action: str
    subsidiary_id: uuid.UUID
    matched: bool
    policy: PolicyOut | None
    candidates: list[CandidateOut]
    approvers: list[ResolvedApproverOut]


# --- the authority matrix -------------------------------------------------------------------


class MatrixRowOut(OutputModel):
    role_id: uuid.UUID
    role_code: str
    role_name: str
    role_name_en: str | None
    limits: dict[str, LimitValue]
    version: int
    updated_at: datetime


class MatrixOut(OutputModel):
    subsidiary_id: uuid.UUID
    subsidiary_name: str
    currency: str | None
    rows: list[MatrixRowOut]


class MatrixRowPut(InputModel):
    """A role's limits in one subsidiary: limit name → non-negative amount (at most two
    decimals; ``payment_days`` a whole number) or ``null`` for unlimited. A limit left out
    means no authority. ``version``, when sent, must be the row's (``null``: no row yet)."""

    limits: FactsJson
    version: int | None = None
