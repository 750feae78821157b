"""Request and response bodies of products, price books and price-book entries.

Tax rates are percentages from 0 to 100 with at most two decimals. China's VAT rates
(13 goods, 9, 6 services, 3, 1, 0) are the common values, but the catalogue is group-wide and
the group sells through Hong Kong and Singapore too (Singapore GST is 9), so the rate is not
limited to the Chinese list.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from flotilla.core.schemas import InputModel, OutputModel

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9._-]{1,63}$"
Code = Annotated[str, Field(min_length=2, max_length=64, pattern=CODE_PATTERN)]
TaxRate = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Price = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]


class ProductCreate(InputModel):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=64)
    unit: str = Field(min_length=1, max_length=16)
    tax_rate: TaxRate
    description: str | None = Field(default=None, max_length=5000)
    is_active: bool = True


class ProductUpdate(InputModel):
    version: int
    code: Code | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=64)
    unit: str | None = Field(default=None, min_length=1, max_length=16)
    tax_rate: TaxRate | None = None
    description: str | None = Field(default=None, max_length=5000)
    is_active: bool | None = None


class ProductOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    category: str | None
    unit: str
    tax_rate: Decimal
    description: str | None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class PriceBookCreate(InputModel):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    # A subsidiary price list defaults to (and must use) its subsidiary's currency.
    currency: CurrencyCode | None = None
    subsidiary_id: uuid.UUID | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = True


class PriceBookUpdate(InputModel):
    """The owner and currency of a book are fixed: its prices are in that currency."""

    version: int
    code: Code | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool | None = None


class PriceBookOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    currency: str
    subsidiary_id: uuid.UUID | None
    subsidiary_name: str | None
    is_group: bool
    valid_from: date | None
    valid_to: date | None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class EntryPut(InputModel):
    list_price: Price
    floor_price: Price | None = None
    # When given, the entry must still be at this version (optimistic locking).
    version: int | None = None


class EntryOut(OutputModel):
    id: uuid.UUID
    price_book_id: uuid.UUID
    product_id: uuid.UUID
    product_code: str
    product_name: str
    product_name_en: str | None
    product_is_active: bool
    unit: str
    tax_rate: Decimal
    currency: str
    list_price: Decimal
    floor_price: Decimal | None
    version: int
    updated_at: datetime
