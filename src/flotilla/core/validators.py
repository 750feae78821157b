"""Field validators shared by schemas: USCC, currency, time zone, codes."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from stdnum.cn import uscc as uscc_number

from flotilla.core.errors import Invalid, field_error


def normalize_uscc(value: str) -> str:
    return uscc_number.compact(value)


def is_valid_uscc(value: str) -> bool:
    """GB 32100-2015: 18 characters from the code alphabet, the last a weighted check."""
    return bool(uscc_number.is_valid(value))


def is_valid_currency(code: str) -> bool:
    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_org_fields(
    *, uscc: str | None, currency: str | None, timezone: str | None
) -> tuple[str | None, str | None]:
    """Validate the legal-entity fields; returns the normalized (uscc, currency)."""
    errors = []
    normalized_uscc = None
    if uscc:
        normalized_uscc = normalize_uscc(uscc)
        if not is_valid_uscc(normalized_uscc):
            errors.append(field_error("uscc", "invalid_uscc"))
    normalized_currency = currency.upper() if currency else None
    if normalized_currency and not is_valid_currency(normalized_currency):
        errors.append(field_error("currency", "invalid_currency"))
    if timezone and not is_valid_timezone(timezone):
        errors.append(field_error("timezone", "invalid_timezone"))
    if errors:
        raise Invalid(fields=errors)
    return normalized_uscc, normalized_currency
