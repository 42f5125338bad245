"""The operator's commands: seed-demo and create-user."""

from sqlalchemy import func, select

from stengage.accounts.models import User
from stengage.areas.models import Area
from stengage.core.audit import AuditEntry
from stengage.extensions import db
from tests import factories


def test_seed_demo_is_idempotent_and_keeps_edits(app):
    runner = app.test_cli_runner()
    vienna = factories.area()
    vienna.summary = "Edited by an admin"
    db.session.flush()
    result = runner.invoke(args=["seed-demo", "--no-users"])
    assert result.exit_code == 0, result.output
    assert "0 areas created, 8 already there" in result.output
    assert db.session.scalar(select(func.count(Area.id))) == 8
    assert factories.area().summary == "Edited by an admin"
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "nothing to seed" in result.output


def test_every_area_has_what_verification_and_the_map_need(app):
    for area in db.session.scalars(select(Area)):
        assert area.postcodes, area.slug
        assert area.contains(area.centre_lat, area.centre_lon), area.slug
        assert area.default_locale and area.timezone and area.country_code
    assert factories.area("munich-neuaubing-westkreuz-freiham").residents == 30000
    assert len(factories.area("lyon-confluence").aims) == 6


def test_create_user_reads_the_password_from_a_file_and_makes_an_admin(app, tmp_path):
    secret = tmp_path / "pw.txt"
    secret.write_text("granite-bridge-over-the-isar\n")
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "Root@Example.org", "--name", "Root", "--admin", "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "root@example.org"))
    assert user.is_admin and user.is_confirmed
    assert "granite" not in user.password_hash
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "user.create")).target_id == user.id


def test_create_user_prompts_for_the_password_and_refuses_weak_ones(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "weak@example.org", "--name", "Weak"], input="password1234\npassword1234\n")
    assert result.exit_code != 0
    assert "too common" in result.output
    assert db.session.scalar(select(User).where(User.email == "weak@example.org")) is None


def test_create_user_has_no_password_argument(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "a@example.org", "--name", "A", "--password", "x"])
    assert result.exit_code != 0 and "No such option" in result.output


def test_create_user_refuses_an_existing_email(app, tmp_path):
    factories.user(email="taken@example.org")
    secret = tmp_path / "pw.txt"
    secret.write_text("granite-bridge-over-the-isar")
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "TAKEN@example.org", "--name", "X", "--password-file", str(secret)])
    assert result.exit_code != 0 and "already exists" in result.output


def test_the_demo_measures_are_marked_in_the_language_they_are_written_in(app):
    from stengage.proposals.models import Origin, Proposal

    result = app.test_cli_runner().invoke(args=["seed-demo", "--with-users"])
    assert result.exit_code == 0, result.output
    measures = db.session.scalars(select(Proposal).where(Proposal.origin == Origin.CITY)).all()
    assert measures and {m.language for m in measures} == {"en"}  # their texts are English
