"""Money: exact ``Decimal`` amounts with a currency, stored as integer minor units.

Storing hundredths as BIGINT keeps amounts exact on SQLite (whose NUMERIC is a float) and
lets SUM run natively on every backend. Rounding happens in one place: ``quantize``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

MINOR_UNITS = 100
CENT = Decimal("0.01")


def quantize(amount: Decimal | int | str) -> Decimal:
    """Round to the cent, half away from zero (商业舍入)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyType(TypeDecorator[Decimal]):
    """A Decimal column stored as BIGINT hundredths."""

    impl = BigInteger
    cache_ok = True

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, never float")
        return int(quantize(value) * MINOR_UNITS)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / MINOR_UNITS).quantize(CENT)


class ScaledDecimal(TypeDecorator[Decimal]):
    """An exact Decimal with a fixed number of places, stored as a scaled BIGINT.

    Used for rates and quantities (tax rate %, discount %, quantity, FX rate): exact on
    SQLite too, where NUMERIC would be a float. Values with more places than ``scale`` are
    refused rather than silently rounded; schemas validate places before they get here.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self.factor = Decimal(10) ** scale
        self.exponent = Decimal(1).scaleb(-scale)

    def __repr__(self) -> str:  # how migrations render the column type
        return f"ScaledDecimal({self.scale})"

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("exact decimals only, never float")
        scaled = Decimal(value) * self.factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / self.factor).quantize(self.exponent)
