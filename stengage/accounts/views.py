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
    ResendConfirmationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from stengage.accounts.models import EmailNotifications
from stengage.core.boundary import perform
from stengage.core.i18n import automatic_locale, automatic_timezone, remember_language
from stengage.core.security import safe_next
from stengage.db import writes_on_get
from stengage.extensions import limiter

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _limit(name: str) -> str:
    return current_app.config[name]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_REGISTER"), methods=["POST"])
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("areas.home"))
    form = RegisterForm()
    # The language the visitor registers in stays theirs until they choose one.
    if form.validate_on_submit() and perform(
            lambda: ops.register(form.email.data, form.display_name.data, form.password.data,
                                 locale=str(get_locale())), form=form):
        return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/register.html", form=form)


@bp.route("/check-your-mail")
def check_mail() -> str:
    return render_template("accounts/check_mail.html")


@bp.route("/confirm/<token>")
@writes_on_get
def confirm_email(token: str) -> Response:
    confirmation = perform(lambda: ops.confirm_email(token)).value  # a forged or stale link is flashed
    if confirmation is None:
        return redirect(url_for("accounts.login"))
    if confirmation.problem:
        flash(confirmation.problem, "error")
        return redirect(url_for("accounts.login"))
    flash(gettext("Thank you, your email address %(email)s is confirmed.", email=confirmation.user.email),
          "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    return redirect(url_for("accounts.login"))


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit(lambda: _limit("RATELIMIT_RESET"))
def resend_confirmation() -> Response:
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        ops.resend_confirmation(current_user)
        flash(gettext("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(safe_next(form.next.data, url_for("accounts.profile")))


def _failed(response: Response) -> bool:
    return response.status_code != 302  # a login that worked redirects


def _login_key() -> str:
    email = LoginForm(meta={"csrf": False}).email.data or ""
    return f"{request.remote_addr}:{email.strip().lower()}"


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
        logged_in = ops.log_in(form.email.data, form.password.data)
        if logged_in is None:
            flash(gettext("The email address or the password is not correct."), "error")
        else:
            session.clear()  # a fresh session on every login: no fixation
            login_user(logged_in.user, remember=form.remember.data)
            refresh()  # the greeting speaks the language of the pages that follow, now the user is known
            flash(gettext("Welcome, %(name)s.", name=logged_in.user.display_name) if logged_in.first
                  else gettext("Welcome back, %(name)s.", name=logged_in.user.display_name), "success")
            return redirect(safe_next(form.next.data, url_for("areas.home")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        ops.end_all_sessions(current_user)
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
    if form.validate_on_submit() and perform(lambda: ops.reset_password(token, form.password.data), form=form,
                                             success=gettext("Your password is changed. Please log in with it.")):
        logout_user()
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Response | str:
    user = current_user._get_current_object()
    form = ProfileForm(obj=user, automatic_locale=automatic_locale(user),
                       automatic_timezone=automatic_timezone(user))
    if request.method == "GET":
        form.locale.data = user.locale or ""
        form.timezone.data = user.timezone or ""
        form.notify_by_email.data = user.notify_by_email.value
    if form.validate_on_submit() and perform(
            lambda: ops.update_profile(user, form.display_name.data, form.locale.data,
                                       EmailNotifications(form.notify_by_email.data), timezone=form.timezone.data),
            form=form):
        refresh()  # the confirmation speaks the language just chosen
        flash(gettext("Your profile is saved."), "success")
        response = redirect(url_for("accounts.profile"))
        remember_language(response, user.locale)
        return response
    return render_template("accounts/profile.html", form=form)



@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    form = ChangePasswordForm()
    if form.validate_on_submit() and perform(
            lambda: ops.change_password(current_user, form.current_password.data, form.password.data), form=form,
            success=gettext("Your password is changed. Other devices have been logged out.")):
        login_user(current_user._get_current_object())  # this device stays logged in
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email() -> Response | str:
    form = ChangeEmailForm()
    if form.validate_on_submit() and perform(
            lambda: ops.change_email(current_user, form.current_password.data, form.email.data), form=form,
            success=gettext("We sent a confirmation link to %(email)s. Your address changes once "
                            "you follow it.", email=form.email.data)):
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_email.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    """The language switch: stored on a logged-in person, and in a cookie for this browser (a visitor
    keeps it, and so does a person after logging out)."""
    form = LanguageForm()
    response = redirect(safe_next(form.next.data, url_for("areas.home")))
    if not form.validate_on_submit():
        flash(gettext("Please choose one of the offered languages."), "error")
        return response
    if current_user.is_authenticated:
        perform(lambda: ops.choose_language(current_user, form.locale.data))
    remember_language(response, form.locale.data)
    return response
