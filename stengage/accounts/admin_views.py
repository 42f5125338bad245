"""Instance administration: users, roles per area, blocking, area settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from stengage.accounts import operations as ops
from stengage.accounts.forms import AreaSettingsForm, GrantRoleForm, ReasonForm
from stengage.accounts.models import Membership, MembershipRole, User
from stengage.accounts.permissions import can_administer
from stengage.areas.operations import update_area_settings
from stengage.areas.queries import all_areas
from stengage.core.boundary import perform
from stengage.core.inputs import page_number
from stengage.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
USERS_PER_PAGE = 50


@bp.before_request
@login_required
def _admins_only() -> None:
    if not can_administer(current_user):
        abort(403)


@bp.route("/")
def users() -> str:
    query = (request.args.get("q") or "").strip()[:100]
    stmt = select(User).order_by(User.created_at.desc())
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    page = db.paginate(stmt, page=page_number(), per_page=USERS_PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, query=query)


@bp.route("/users/<int:user_id>")
def user(user_id: int) -> str:
    target = db.get_or_404(User, user_id)
    areas = [(a.id, a.name) for a in all_areas()]
    return render_template("admin/user.html", user=target, grant_form=GrantRoleForm(areas),
                           reason_form=ReasonForm())


def _back_to(target: User) -> Response:
    return redirect(url_for(".user", user_id=target.id))


def _without_reason(target: User) -> Response:
    flash(gettext("Please give a reason; it is kept in the audit log."), "error")
    return _back_to(target)


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
def grant_role(user_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    areas = all_areas()
    form = GrantRoleForm([(a.id, a.name) for a in areas])
    if not form.validate_on_submit():
        return _without_reason(target)
    area = next(a for a in areas if a.id == form.area.data)
    role = MembershipRole(form.role.data)
    perform(lambda: ops.grant_role(current_user, target, area, role, form.reason.data),
            success=gettext("%(name)s is now %(role)s in %(area)s.", name=target.display_name,
                            role=role_label(role), area=area.name))
    return _back_to(target)


@bp.route("/users/<int:user_id>/roles/<int:membership_id>/revoke", methods=["POST"])
def revoke_role(user_id: int, membership_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != target.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _without_reason(target)
    perform(lambda: ops.revoke_role(current_user, membership, form.reason.data),
            success=gettext("%(name)s is a resident again in %(area)s.", name=target.display_name,
                            area=membership.area.name))
    return _back_to(target)


@bp.route("/users/<int:user_id>/block", methods=["POST"])
def block(user_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _without_reason(target)
    perform(lambda: ops.block_user(current_user, target, form.reason.data),
            success=gettext("%(name)s is blocked and logged out everywhere.", name=target.display_name))
    return _back_to(target)


@bp.route("/users/<int:user_id>/unblock", methods=["POST"])
def unblock(user_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _without_reason(target)
    perform(lambda: ops.unblock_user(current_user, target, form.reason.data),
            success=gettext("%(name)s is no longer blocked.", name=target.display_name))
    return _back_to(target)


@bp.route("/users/<int:user_id>/admin/grant", methods=["POST"])
def grant_admin(user_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _without_reason(target)
    perform(lambda: ops.set_admin(current_user, target, True, form.reason.data),
            success=gettext("%(name)s is now an instance admin.", name=target.display_name))
    return _back_to(target)


@bp.route("/users/<int:user_id>/admin/revoke", methods=["POST"])
def revoke_admin(user_id: int) -> Response:
    target = db.get_or_404(User, user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _without_reason(target)
    perform(lambda: ops.set_admin(current_user, target, False, form.reason.data),
            success=gettext("%(name)s is no longer an instance admin.", name=target.display_name))
    return _back_to(target)


@bp.route("/areas", methods=["GET", "POST"])
def areas() -> Response | str:
    """Per-area settings: how many distinct verified residents' reports hide content."""
    area_list = all_areas()
    form = AreaSettingsForm()
    if form.validate_on_submit():
        area = next((a for a in area_list if a.slug == form.area.data), None)
        if area is None:
            abort(404)
        update_area_settings(current_user, area, form.auto_hide_flags.data)
        flash(gettext("Settings of %(area)s saved.", area=area.name), "success")
        return redirect(url_for(".areas"))
    if form.is_submitted():
        flash(gettext("Enter a number of reports between 1 and 100."), "error")
    return render_template("admin/areas.html", areas=area_list)


def role_label(role: MembershipRole) -> str:
    return {
        MembershipRole.RESIDENT: gettext("resident"),
        MembershipRole.MODERATOR: gettext("moderator"),
        MembershipRole.STAFF: gettext("city staff"),
    }[role]
