"""The request boundary: the one place where a request's work is committed or rolled back.

A view loads its object (404), checks permission (403), validates its form and calls one
operation through ``perform``. The boundary then

- commits once, after the view returned (``Stengage.dispatch_request``); mail queued by the
  operation is delivered and the page cache told of public changes only after that commit
  (session ``after_commit`` hooks in ``core.mail`` and ``core.page_cache``);
- turns ``Refused`` into a rollback plus a form error or a flashed message (``perform``), or, when
  an operation's refusal reaches the boundary itself, into a 409 answer (JSON under ``/api``);
- rolls back whatever an aborted or failed request wrote (Flask-SQLAlchemy's teardown).

Views never commit and never catch ``Refused``; the CLI and background jobs are boundaries of
their own and commit where their unit of work ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Flask, flash, request
from flask_wtf import FlaskForm
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from werkzeug.wrappers import Response

from stengage.core.errors import api_error, render_error, wants_json
from stengage.core.operations import Refused
from stengage.db import write_intent
from stengage.extensions import db

T = TypeVar("T")


class Stengage(Flask):
    """Flask, with the request boundary around every view."""

    def dispatch_request(self) -> Any:
        result = super().dispatch_request()
        # A view that returned normally has done its one operation: keep it. (An exception skips
        # this line; the teardown then rolls back.) A request that wrote nothing, most GETs, is
        # simply ended by the teardown: a commit would cost it a round of the session's machinery.
        session = db.session()
        if session.in_transaction() and (write_intent.get() or _wrote(session)):
            session.commit()
        return result


def _wrote(session: Session) -> bool:
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


_WROTE = "stengage_wrote"


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: its writes are committed or gone
        session.info.pop(_WROTE, None)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What ``perform`` tells the view: the operation's result, or why it was refused."""

    value: T | None = None
    refused: Refused | None = None

    @property
    def done(self) -> bool:
        return self.refused is None

    def __bool__(self) -> bool:
        return self.done

    @property
    def message(self) -> str | None:
        return self.refused.message if self.refused is not None else None


def show_refusal(form: FlaskForm | None, refused: Refused) -> None:
    """A refusal on the field it concerns, else as a flashed message."""
    field = getattr(form, refused.field, None) if form is not None and refused.field else None
    if field is not None:
        field.errors = [*field.errors, refused.message]
    else:
        flash(refused.message, "error")


def perform(operation: Callable[[], T], *, form: FlaskForm | None = None, success: str | None = None,
            quiet: bool = False, on_refused: Callable[[], object] | None = None) -> Outcome[T]:
    """Run the request's one operation.

    Done: ``success`` is flashed and the boundary commits when the view returns. Refused: what it
    wrote is rolled back, ``on_refused`` cleans up outside the database (stored files), and the
    refusal is shown on ``form``'s field or flashed, unless ``quiet`` (the view shows it in place).
    """
    try:
        value = operation()
    except Refused as refused:
        db.session.rollback()
        if on_refused is not None:
            on_refused()
        if not quiet:
            show_refusal(form, refused)
        return Outcome(refused=refused)
    if success:
        flash(success, "success")
    return Outcome(value=value)


def init_boundary(app: Flask) -> None:
    @app.errorhandler(Refused)
    def _refused(refused: Refused) -> tuple[Response | str, int]:
        # An operation called without ``perform`` (the API's way): nothing it wrote is kept.
        db.session.rollback()
        if wants_json(request.path):
            return api_error(409, refused.message), 409
        return render_error(409, refused.message)
