"""Registration, login, password reset, profile and language choice."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from stengage.accounts import operations as ops
from stengage.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from stengage.accounts.models import EmailNotifications
from stengage.core.forms import show_refusal
from stengage.core.operations import Refused
from stengage.core.security import safe_next
from stengage.db import writes_on_get
from stengage.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _limit(name: str) -> str:
    return current_app.config[name]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_REGISTER"), methods=["POST"])
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("areas.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            # The language the visitor registered in stays theirs (the profile changes it).
            ops.register(form.email.data, form.display_name.data, form.password.data,
                         locale=session.get("locale") or str(get_locale()))
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/register.html", form=form)


@bp.route("/check-your-mail")
def check_mail() -> str:
    return render_template("accounts/check_mail.html")


@bp.route("/confirm/<token>")
@writes_on_get
def confirm_email(token: str) -> Response:
    try:
        user = ops.confirm_email(token)
    except Refused as refused:
        db.session.commit()
        flash(refused.message, "error")
        return redirect(url_for("accounts.login"))
    db.session.commit()
    flash(gettext("Thank you, your email address %(email)s is confirmed.", email=user.email), "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    return redirect(url_for("accounts.login"))


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit(lambda: _limit("RATELIMIT_RESET"))
def resend_confirmation() -> Response:
    ops.resend_confirmation(current_user)
    db.session.commit()
    flash(gettext("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(safe_next(request.form.get("next"), url_for("accounts.profile")))


def _failed(response: Response) -> bool:
    return response.status_code != 302  # a login that worked redirects


def _login_key() -> str:
    return f"{request.remote_addr}:{(request.form.get('email') or '').strip().lower()}"


# Only failed attempts count: per account from one address, and (more loosely) per address, so
# people who share one (a workshop, a community centre) can all log in.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_LOGIN"), methods=["POST"], key_func=_login_key, deduct_when=_failed)
@limiter.limit(lambda: _limit("RATELIMIT_LOGIN_ADDRESS"), methods=["POST"], deduct_when=_failed)
def login() -> Response | str:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data, url_for("areas.home")))
    if form.validate_on_submit():
        user = ops.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            flash(gettext("The email address or the password is not correct."), "error")
        else:
            first_login = ops.record_login(user)
            db.session.commit()
            chosen_locale = session.get("locale")
            session.clear()  # a fresh session on every login: no fixation
            if chosen_locale:
                session["locale"] = chosen_locale
            login_user(user, remember=form.remember.data)
            refresh()  # the greeting speaks the language of the pages that follow, now the user is known
            flash(gettext("Welcome, %(name)s.", name=user.display_name) if first_login
                  else gettext("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data, url_for("areas.home")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        ops.end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(gettext("You are logged out on all your devices."), "success")
    return redirect(url_for("areas.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_RESET"), methods=["POST"])
def reset_request() -> Response | str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        ops.request_password_reset(form.email.data)
        db.session.commit()
        flash(gettext("If an account exists for %(email)s, we sent it a link to choose a new "
                      "password. The link works for two hours.", email=form.email.data), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_RESET"), methods=["POST"])
def reset_password(token: str) -> Response | str:
    if ops.user_for_reset_token(token) is None:
        flash(gettext("This reset link is invalid, expired or already used. Ask for a new one."),
              "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            ops.reset_password(token, form.password.data)
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            logout_user()
            flash(gettext("Your password is changed. Please log in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Response | str:
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
        form.notify_by_email.data = current_user.notify_by_email.value
    if form.validate_on_submit():
        ops.update_profile(current_user, form.display_name.data, form.locale.data,
                           EmailNotifications(form.notify_by_email.data))
        db.session.commit()
        session.pop("locale", None)
        flash(gettext("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ops.change_password(current_user, form.current_password.data, form.password.data)
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this device stays logged in
            flash(gettext("Your password is changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email() -> Response | str:
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            ops.change_email(current_user, form.current_password.data, form.email.data)
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(gettext("We sent a confirmation link to %(email)s. Your address changes once "
                          "you follow it.", email=form.email.data), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_email.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    form = LanguageForm()
    target = safe_next(form.next.data, url_for("areas.home"))
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            ops.update_profile(current_user, current_user.display_name, form.locale.data)
            db.session.commit()
    else:
        flash(gettext("Please choose one of the offered languages."), "error")
    return redirect(target)
