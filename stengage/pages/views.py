"""Content pages: read by anyone at /pages/<slug>, written by admins at /admin/pages."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from stengage.core.boundary import perform
from stengage.core.localized import current_language
from stengage.core.markdown import render
from stengage.core.page_cache import cached_page
from stengage.extensions import db
from stengage.pages import operations as ops
from stengage.pages.forms import ContentPageForm
from stengage.pages.models import ContentPage
from stengage.pages.permissions import can_manage_pages

bp = Blueprint("pages", __name__)
admin_bp = Blueprint("page_admin", __name__, url_prefix="/admin/pages")


@bp.app_template_filter("page_markdown")
def page_markdown(text: str) -> Markup:
    """A page's Markdown as safe HTML, its headings one level under the page's title (``render``
    puts contributions' headings at level 3, under a page's own sections)."""
    html = render(text or "")
    for level in (3, 4, 5):
        html = html.replace(f"<h{level}>", f"<h{level - 1}>").replace(f"</h{level}>", f"</h{level - 1}>")
    return Markup(html)  # noqa: S704 - nh3-cleaned by render


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def _page_or_404(slug: str) -> ContentPage:
    if len(slug) > 64:
        abort(404)
    page = db.session.scalar(select(ContentPage).where(ContentPage.slug == slug))
    if page is None:
        abort(404)
    return page


@bp.route("/pages/<slug>")
@cached_page
def page(slug: str) -> str:
    return render_template("pages/page.html", page=_page_or_404(slug))


@admin_bp.before_request
@login_required
def _admins_only() -> None:
    if not can_manage_pages(current_user):
        abort(403)


@admin_bp.route("/")
def index() -> str:
    pages = db.session.scalars(select(ContentPage).order_by(ContentPage.slug)).all()
    return render_template("pages/admin_index.html", pages=pages, language=current_language())


def _form_page(form: ContentPageForm, page: ContentPage | None) -> Response | str:
    form.title_texts.required_language = "en"
    if form.validate_on_submit():
        slug, titles, bodies = form.slug.data, form.title_texts.data, form.body_texts.data
        done = perform(
            (lambda: ops.create_page(current_user, slug, titles, bodies)) if page is None
            else (lambda: ops.update_page(current_user, page, slug, titles, bodies)),
            form=form, success=gettext("The page is saved."))
        if done and done.value is not None:
            return redirect(url_for("pages.page", slug=done.value.slug))
    return render_template("pages/admin_form.html", form=form, page=page)


@admin_bp.route("/new", methods=["GET", "POST"])
def create() -> Response | str:
    return _form_page(ContentPageForm(), None)


@admin_bp.route("/<int:page_id>/edit", methods=["GET", "POST"])
def edit(page_id: int) -> Response | str:
    page = db.get_or_404(ContentPage, page_id)
    form = ContentPageForm(obj=page)
    return _form_page(form, page)


@admin_bp.route("/<int:page_id>/delete", methods=["GET", "POST"])
def delete(page_id: int) -> Response | str:
    page = db.get_or_404(ContentPage, page_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        slug = page.slug
        if perform(lambda: ops.delete_page(current_user, page),
                   success=gettext("The page “%(slug)s” is deleted.", slug=slug)):
            return redirect(url_for(".index"))
    return render_template("pages/admin_delete.html", page=page, form=form)
