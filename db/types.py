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
from functools import lru_cache

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
        return _to_db(self.scale, dialect.name == "sqlite")(value)

    def process_result_value(self, value, dialect):
        return _from_db(self.scale, dialect.name == "sqlite")(value)

    # Statements call the per-dialect converters below directly: a multi-line
    # document binds thousands of these values, and the generic TypeDecorator path
    # costs three Python calls and a dialect test per value.
    def bind_processor(self, dialect):
        return _chain(_to_db(self.scale, dialect.name == "sqlite"),
                      self.load_dialect_impl(dialect).bind_processor(dialect))

    def result_processor(self, dialect, coltype):
        return _chain(self.load_dialect_impl(dialect).result_processor(dialect, coltype),
                      _from_db(self.scale, dialect.name == "sqlite"))

    @property
    def python_type(self):
        return Decimal


def _chain(first, then):
    """``then(first(value))``, either step possibly absent (None)."""
    if first is None or then is None:
        return first or then
    return lambda value: then(first(value))


@lru_cache(maxsize=None)
def _to_db(scale: int, sqlite: bool):
    quantum = _QUANTUM[scale]

    def scaled_int(value):
        if value is None:
            return None
        if value.__class__ is not Decimal:
            value = Decimal(value)
        # The same rounding as quantize(quantum) first, in one operation.
        return int(value.scaleb(scale).to_integral_value(ROUND_HALF_UP))

    def exact(value):
        if value is None:
            return None
        if value.__class__ is not Decimal:
            value = Decimal(value)
        return value.quantize(quantum, ROUND_HALF_UP)

    return scaled_int if sqlite else exact


@lru_cache(maxsize=None)
def _from_db(scale: int, sqlite: bool):
    quantum = _QUANTUM[scale]

    def from_scaled_int(value):
        return None if value is None else Decimal(int(value)).scaleb(-scale)

    def from_numeric(value):
        return None if value is None else Decimal(value).quantize(quantum)

    return from_scaled_int if sqlite else from_numeric


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
