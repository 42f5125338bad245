"""Declarative base, naming convention, time helpers and database-engine tuning."""

from __future__ import annotations

import contextvars
import enum
import functools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, Engine, Enum, Insert, MetaData, Table, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

# Stable constraint names make migrations reviewable and portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def on_days(column: Any, first: date | None, last: date | None) -> list[Any]:
    """Conditions: a timestamp falls on the UTC days ``first`` to ``last``, both included (None: open)."""
    conditions = []
    if first is not None:
        conditions.append(column >= datetime.combine(first, time.min, UTC))
    if last is not None:
        conditions.append(column < datetime.combine(last + timedelta(days=1), time.min, UTC))
    return conditions


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use stengage.db.utc_now()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


def enum_values(enum_cls: type) -> list[str]:
    """Store enum *values* (not names) so the database reads naturally."""
    return [member.value for member in enum_cls]


def enum_type(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A status column: enum values in the database, a CHECK constraint where there is no native enum."""
    return Enum(enum_cls, name=name, values_callable=enum_values, create_constraint=True, validate_strings=True)


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every URL: ASCII digits only (``٣`` is no 3: Werkzeug's ``\\d`` would read it
    as one), and ids beyond the database's integer type are unknown pages (404), never a query
    that the database refuses."""

    regex = r"[0-9]+"

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


# Whether the current request may write (unsafe method, or a GET marked ``writes_on_get``).
# SQLite: write transactions begin immediately so two writers never deadlock on upgrade;
# reads (GET requests) begin deferred so they never wait for a writer under WAL.
# PostgreSQL: reads run without a transaction (see configure_postgresql).
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


def writes_on_get(view: Any) -> Any:
    """Mark a view whose GET writes (e.g. a confirmation link), so SQLite locks for writing at once."""
    view.writes_on_get = True
    return view


# PostgreSQL: a request whose usual write is one atomic statement starts without a transaction
# (saving BEGIN and COMMIT); the operation opens one with ``begin_transaction`` when it needs more.
starts_in_autocommit: contextvars.ContextVar[bool] = contextvars.ContextVar("starts_in_autocommit", default=False)


def autocommit_until_needed(view: Any) -> Any:
    """Mark a POST view whose common case writes in one statement (see ``starts_in_autocommit``)."""
    view.autocommit_until_needed = True
    return view


def begin_transaction(session: Any) -> None:
    """What follows must commit or roll back as one: leave autocommit if the request started in it.

    Call it before the first statement of the group; nothing may have been written yet.
    """
    if not on_postgresql(session):
        return  # SQLite requests always run in a transaction
    dbapi_connection = session.connection().connection.dbapi_connection
    if dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


def configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def configure_postgresql(engine: Engine) -> None:
    """Requests that only read run their statements in autocommit mode.

    Under READ COMMITTED every statement sees its own snapshot anyway, so a transaction adds nothing
    to a read but two round trips (BEGIN and the ROLLBACK at the end). Anything that may write keeps
    its transaction, except views marked ``autocommit_until_needed`` (their common write is one
    atomic statement; ``begin_transaction`` opens one for the rest). The connection leaves
    autocommit again when it goes back to the pool.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not write_intent.get() or starts_in_autocommit.get():
            connection.connection.dbapi_connection.autocommit = True

    @event.listens_for(engine, "before_execute")
    def _on_execute(connection: Any, statement: Any, _multi: Any, _params: Any, options: Any) -> None:
        # Streamed results need a server-side cursor, which lives only inside a transaction.
        dbapi_connection = connection.connection.dbapi_connection
        if not dbapi_connection.autocommit:  # every statement passes here: the cheap test first
            return
        for given in (options, getattr(statement, "_execution_options", {}), connection.get_execution_options()):
            if given.get("stream_results") or given.get("yield_per"):
                dbapi_connection.autocommit = False
                return

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None and not dbapi_connection.closed:
            dbapi_connection.autocommit = False


# Full-text search lives beside the models: an FTS5 table on SQLite, a generated tsvector column
# on PostgreSQL. Migrations create them; autogenerate must leave them alone.
def is_schema_extra(name: str | None) -> bool:
    return bool(name) and (name.startswith("proposal_fts") or name in {"search_vector", "ix_proposal_search"})


def include_object(_obj: Any, name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
    return not is_schema_extra(name)


def on_postgresql(session: Any) -> bool:
    """Whether the session talks to PostgreSQL (else SQLite): where the SQL of the two differs."""
    return session.get_bind().dialect.name == "postgresql"


def insert_ignore(session: Any, model: Any, values: dict[str, Any], conflict: list[str]) -> int:
    """``INSERT ... ON CONFLICT DO NOTHING``: 1 when the row was added, 0 when it was there already.

    Uniqueness lives in the database, so this is safe under any race; never check-then-insert.
    """
    table = getattr(model, "__table__", model)
    statement = _insert_ignore_statement(session.get_bind().dialect.name, table, tuple(conflict))
    # RETURNING tells for sure whether a row went in; drivers' rowcount is not reliable here.
    return len(session.execute(statement, values).all())


@functools.cache
def _insert_ignore_statement(dialect: str, table: Table, conflict: tuple[str, ...]) -> Insert:
    """Built once per table: the values come as parameters, so SQLAlchemy reuses its compiled form."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(table.c.id)
