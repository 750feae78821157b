from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flotilla.core.schemas import OutputModel


class AuditEventOut(OutputModel):
    id: uuid.UUID
    seq: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    entity_type: str | None
    entity_id: uuid.UUID | None
    entity_label: str | None
    unit_id: uuid.UUID | None
    subsidiary_id: uuid.UUID | None
    changes: dict[str, Any]
    request_id: str | None
    client_ip: str | None
