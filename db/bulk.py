"""Bulk statements for multi-line documents: hundreds of rows in one statement.

PostgreSQL: one statement over unnested arrays (``INSERT ... SELECT FROM unnest(...)``,
``UPDATE ... FROM unnest(...)``), which the server prepares once and runs set-based;
an executemany of 500 updates, or an ``INSERT ... VALUES`` with 6,000 parameters that
is parsed and planned anew every time, costs two to three times as much. SQLite: the
driver's executemany of one prepared statement over plain tuples (SQLAlchemy's own
executemany spends as long again building a parameter dict per row).

Values go through each column's own bind processing (exact decimals as scaled
integers on SQLite, UTC times, JSON), so a value is stored exactly as a single-row
statement would store it.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Table, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

# The position of each row in its arrays (never a column name of ours).
_ORDINAL = "bulk_ordinal_"


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    columns = tuple(rows[0])
    if _is_postgresql(session):
        session.execute(_pg_insert(table, columns, returning=False),
                        _arrays(session, table, columns, rows))
    else:
        _executemany(session, _sqlite_insert(table, columns),
                     _tuples(session, table, columns, rows))


def insert_returning_ids(session: Session, table: Table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` into ``table``; their new ids, in the order given.

    PostgreSQL: the rows are inserted in array order, so the serial ids ascend with
    it (what SQLAlchemy's own "sort by parameter order" also relies on). SQLite cannot
    return a batch's ids in parameter order, but a write transaction holds the
    database lock (BEGIN IMMEDIATE), so the rows are numbered after the highest id."""
    if not rows:
        return []
    columns = tuple(rows[0])
    if _is_postgresql(session):
        return sorted(session.execute(_pg_insert(table, columns, returning=True),
                                      _arrays(session, table, columns, rows)).scalars())
    connection = session.connection()
    last = connection.exec_driver_sql(f"SELECT max(id) FROM {_quote(table.name)}").scalar()
    ids = list(range((last or 0) + 1, (last or 0) + 1 + len(rows)))
    values = _tuples(session, table, columns, rows)
    _executemany(session, _sqlite_insert(table, ("id", *columns)),
                 [(row_id, *row) for row_id, row in zip(ids, values)])
    return ids


def update_rows(session: Session, table: Table, rows: list[dict], key: str = "id") -> None:
    """Update rows of ``table`` by ``key``: each dict holds the key and the new values
    (the same columns in every dict, each key once). Only the new values are SET."""
    if not rows:
        return
    columns = tuple(rows[0])
    if len({row[key] for row in rows}) != len(rows):
        raise ValueError(f"update_rows: {table.name}.{key} repeated")
    if _is_postgresql(session):
        session.execute(_pg_update(table, columns, key), _arrays(session, table, columns, rows))
    else:
        # The key goes last, for the WHERE clause.
        ordered = (*(c for c in columns if c != key), key)
        _executemany(session, _sqlite_update(table, ordered), _tuples(session, table, ordered, rows))


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _processors(session: Session, table: Table, columns: tuple[str, ...]) -> list:
    dialect = session.get_bind().dialect
    return [_processor(table.c[name].type, dialect) for name in columns]


@lru_cache(maxsize=None)
def _processor(column_type, dialect: Dialect):
    # The dialect's own implementation (the generic types' processors are not the
    # ones a statement through this dialect would use).
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _arrays(session: Session, table: Table, columns, rows: list[dict]) -> dict[str, list]:
    """One list per column, each value bind-processed by the column's type."""
    arrays = {}
    for name, process in zip(columns, _processors(session, table, columns)):
        values = [row[name] for row in rows]
        arrays[name] = _processed(values, process) if process else values
    return arrays


def _processed(values: list, process) -> list:
    # A document's rows often share one object (its time, its cost, a status):
    # process each run of the same object once.
    out, last, last_out = [], _processed, None
    for value in values:
        if value is not last:
            last, last_out = value, process(value)
        out.append(last_out)
    return out


def _tuples(session: Session, table: Table, columns, rows: list[dict]) -> list[tuple]:
    """One tuple per row in ``columns`` order, each value bind-processed."""
    arrays = _arrays(session, table, columns, rows)
    return list(zip(*(arrays[name] for name in columns)))


def _executemany(session: Session, sql: str, rows: list[tuple]) -> None:
    session.connection().exec_driver_sql(sql, rows)


@lru_cache(maxsize=None)
def _sqlite_insert(table: Table, columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO {_quote(table.name)} ({', '.join(map(_quote, columns))}) "
            f"VALUES ({', '.join('?' for _ in columns)})")


@lru_cache(maxsize=None)
def _sqlite_update(table: Table, columns: tuple[str, ...]) -> str:
    *values, key = columns
    return (f"UPDATE {_quote(table.name)} SET {', '.join(f'{_quote(c)} = ?' for c in values)} "
            f"WHERE {_quote(key)} = ?")


@lru_cache(maxsize=None)
def _pg_insert(table: Table, columns: tuple[str, ...], returning: bool):
    names, unnest = _unnest(table, columns)
    sql = (f"INSERT INTO {_quote(table.name)} ({names}) "
           f"SELECT {', '.join('r.' + _quote(c) for c in columns)} FROM {unnest} "
           f"ORDER BY r.{_ORDINAL}")
    return text(sql + (" RETURNING id" if returning else ""))


@lru_cache(maxsize=None)
def _pg_update(table: Table, columns: tuple[str, ...], key: str):
    _names, unnest = _unnest(table, columns)
    target = _quote(table.name)
    sets = ", ".join(f"{_quote(c)} = r.{_quote(c)}" for c in columns if c != key)
    return text(f"UPDATE {target} SET {sets} FROM {unnest} "
                f"WHERE {target}.{_quote(key)} = r.{_quote(key)}")


def _unnest(table: Table, columns: tuple[str, ...]) -> tuple[str, str]:
    """The column list and ``unnest(CAST(:c AS type[]), ...) WITH ORDINALITY AS r``."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    arrays = ", ".join(f"CAST(:{c} AS {table.c[c].type.compile(dialect=dialect)}[])"
                       for c in columns)
    names = ", ".join(_quote(c) for c in columns)
    return names, f"unnest({arrays}) WITH ORDINALITY AS r({names}, {_ORDINAL})"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
