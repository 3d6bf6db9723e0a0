"""Exact decimal column types.

SQLite has no exact decimal storage (NUMERIC columns hold floats), so on SQLite a
quantity or amount is stored as a scaled integer; SUM() over integers is exact. On
PostgreSQL the same columns are native NUMERIC. Python always sees ``Decimal``.

Because SQLite holds scaled integers, SQL must never multiply or divide two of these
columns (qty * unit_cost would be scaled twice): store derived values (a movement's
``value``) explicitly. Sums, differences, comparisons and sign changes are safe.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, ROUND_HALF_UP

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

QTY_SCALE = 3      # 0.001 of a unit (litres of coolant, metres of hose)
MONEY_SCALE = 7    # exact qty(3dp) x unit cost(4dp)


# 1, 0.001, 0.0000001, ... by number of places (computed once, used per value).
_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(0, 10)}


class _ScaledDecimal(TypeDecorator):
    impl = Numeric
    cache_ok = True
    scale = 0

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(24, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(_QUANTUM[self.scale], ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(value.scaleb(self.scale))
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return Decimal(value).quantize(_QUANTUM[self.scale])

    @property
    def python_type(self):
        return Decimal


class Quantity(_ScaledDecimal):
    """A stock quantity, exact to 0.001 of the item's unit."""

    cache_ok = True
    scale = QTY_SCALE


class Money(_ScaledDecimal):
    """A unit cost or an amount, exact to 1e-7 (so qty x cost is never rounded)."""

    cache_ok = True
    scale = MONEY_SCALE


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and returned timezone-aware on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        # SQLite compares timestamps as text: store them naive so they sort uniformly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    @property
    def python_type(self):
        return datetime
