"""Instance administration: users, roles per area, blocking, and the audit log."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from stengage.accounts import operations as ops
from stengage.accounts.forms import AreaSettingsForm, GrantRoleForm, ReasonForm
from stengage.accounts.models import Membership, MembershipRole, User
from stengage.accounts.permissions import can_administer
from stengage.areas.queries import all_areas
from stengage.core import audit
from stengage.core.operations import Refused
from stengage.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


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
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, query=query)


@bp.route("/users/<int:user_id>")
def user(user_id: int) -> str:
    target = db.get_or_404(User, user_id)
    areas = [(a.id, a.name) for a in all_areas()]
    return render_template("admin/user.html", user=target, grant_form=GrantRoleForm(areas),
                           reason_form=ReasonForm())


def _act(user_id: int, form: ReasonForm | GrantRoleForm, action: Callable[[User], str]) -> Response:
    target = db.get_or_404(User, user_id)
    if not form.validate_on_submit():
        flash(gettext("Please give a reason; it is kept in the audit log."), "error")
    else:
        try:
            message = action(target)
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "error")
        else:
            db.session.commit()
            flash(message, "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
def grant_role(user_id: int) -> Response:
    areas = all_areas()
    form = GrantRoleForm([(a.id, a.name) for a in areas])

    def action(target: User) -> str:
        area = next(a for a in areas if a.id == form.area.data)
        role = MembershipRole(form.role.data)
        ops.grant_role(current_user, target, area, role, form.reason.data)
        return gettext("%(name)s is now %(role)s in %(area)s.", name=target.display_name,
                       role=role_label(role), area=area.name)

    return _act(user_id, form, action)


@bp.route("/users/<int:user_id>/roles/<int:membership_id>/revoke", methods=["POST"])
def revoke_role(user_id: int, membership_id: int) -> Response:
    form = ReasonForm()

    def action(target: User) -> str:
        membership = db.session.get(Membership, membership_id)
        if membership is None or membership.user_id != target.id:
            abort(404)
        ops.revoke_role(current_user, membership, form.reason.data)
        return gettext("%(name)s is a resident again in %(area)s.", name=target.display_name,
                       area=membership.area.name)

    return _act(user_id, form, action)


@bp.route("/users/<int:user_id>/block", methods=["POST"])
def block(user_id: int) -> Response:
    form = ReasonForm()

    def action(target: User) -> str:
        ops.block_user(current_user, target, form.reason.data)
        return gettext("%(name)s is blocked and logged out everywhere.", name=target.display_name)

    return _act(user_id, form, action)


@bp.route("/users/<int:user_id>/unblock", methods=["POST"])
def unblock(user_id: int) -> Response:
    form = ReasonForm()

    def action(target: User) -> str:
        ops.unblock_user(current_user, target, form.reason.data)
        return gettext("%(name)s is no longer blocked.", name=target.display_name)

    return _act(user_id, form, action)


@bp.route("/users/<int:user_id>/admin/<any(grant, revoke):change>", methods=["POST"])
def admin_role(user_id: int, change: str) -> Response:
    form = ReasonForm()

    def action(target: User) -> str:
        ops.set_admin(current_user, target, change == "grant", form.reason.data)
        if change == "grant":
            return gettext("%(name)s is now an instance admin.", name=target.display_name)
        return gettext("%(name)s is no longer an instance admin.", name=target.display_name)

    return _act(user_id, form, action)


@bp.route("/areas", methods=["GET", "POST"])
def areas() -> Response | str:
    """Per-area settings: how many distinct verified residents' reports hide content."""
    area_list = all_areas()
    form = AreaSettingsForm()
    if form.validate_on_submit():
        area = next((a for a in area_list if a.slug == form.area.data), None)
        if area is None:
            abort(404)
        before = area.auto_hide_flags
        area.auto_hide_flags = form.auto_hide_flags.data
        audit.record(db.session, actor_id=current_user.id, verb="area.settings", target_type="area",
                     target_id=area.id, target_label=area.name, area_id=area.id,
                     before={"auto_hide_flags": before}, after={"auto_hide_flags": area.auto_hide_flags})
        db.session.commit()
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
