"""Numbered pages that stay fast deep into a list.

The page's ids are chosen by a narrow subquery that the list's covering index answers (so skipping
ten thousand rows happens inside the index), and only those rows are loaded: one query for the
page and one for the total, whatever the page number.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, Subquery, func, select

from stengage.extensions import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def paginate_ids(
    model: Any,
    conditions: list[ColumnElement[bool]],
    order_by: list[Any],
    page: int,
    per_page: int,
    rows: Callable[[Subquery], Select[Any]],
    make: Callable[[Row[Any]], T],
) -> Page[T]:
    """A page of ``model`` rows matching ``conditions`` in ``order_by`` order.

    ``rows`` selects what each item needs, joined to the page's ids (``chosen.c.id``); ``make``
    turns a row into an item.
    """
    total = db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    chosen = (select(model.id).where(*conditions).order_by(*order_by)
              .limit(per_page).offset((page - 1) * per_page).subquery())
    items = [make(row) for row in db.session.execute(rows(chosen).order_by(*order_by))]
    return Page(items=items, page=page, per_page=per_page, total=total)
