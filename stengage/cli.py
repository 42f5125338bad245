"""Command-line tools: ``flask --app wsgi seed-demo``, ``create-user`` and friends."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import select

from stengage.accounts import operations as account_ops
from stengage.accounts.models import MembershipRole, User
from stengage.areas.demo import DEMO_AREAS, seed_demo_areas
from stengage.areas.models import Area
from stengage.areas.queries import find_area
from stengage.core.operations import Refused
from stengage.devtools import bench_data
from stengage.extensions import db
from stengage.proposals import maintenance, notifications
from stengage.proposals.demo import seed_demo_processes

# Demo accounts exist only in development, so a newcomer can try every role at once.
DEMO_PASSWORD = "smarter-together-demo"  # noqa: S105
DEMO_USERS = (
    ("admin@example.org", "Ada Admin", None, None),
    ("moderator.vienna@example.org", "Moritz Moderator", "vienna-simmering",
     MembershipRole.MODERATOR),
    ("staff.vienna@example.org", "Stefanie Staff", "vienna-simmering",
     MembershipRole.STAFF),
)


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(recount_command)
    app.cli.add_command(seed_bench_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(worker_command)


@click.command("seed-demo")
@click.option("--with-users/--no-users", default=None,
              help="Also create demo accounts (default: only in development).")
@click.option("--if-empty", is_flag=True, help="Do nothing when any area exists already.")
def seed_demo(with_users: bool | None, if_empty: bool) -> None:
    """Create the eight Smarter Together areas (idempotent: existing data is kept)."""
    if if_empty and db.session.scalar(select(Area.id).limit(1)) is not None:
        click.echo("Areas exist already; nothing to seed.")
        return
    with click.progressbar(length=len(DEMO_AREAS), label="Areas", show_pos=True) as bar:
        created = seed_demo_areas(progress=lambda _slug: bar.update(1))
    if with_users is None:
        with_users = current_app.config["ENV_NAME"] == "development"
    users = _seed_demo_users() if with_users else 0
    processes = seed_demo_processes(_demo_admin()) if with_users else 0
    db.session.commit()
    click.echo(f"{created} areas created, {len(DEMO_AREAS) - created} already there; "
               f"{users} demo accounts and {processes} demo processes created.")
    if with_users:
        click.echo(f"Demo accounts (password {DEMO_PASSWORD!r}): "
                   + ", ".join(email for email, *_ in DEMO_USERS))


def _seed_demo_users() -> int:
    created = 0
    admin = None
    for email, name, area_slug, role in DEMO_USERS:
        user = account_ops.find_user_by_email(email)
        if user is None:
            user = account_ops.create_user(email, name, DEMO_PASSWORD, admin=area_slug is None)
            created += 1
        if area_slug is None:
            admin = user
            continue
        area = find_area(area_slug)
        if area is not None and role is not None and admin is not None and not user.has_role(area, role):
            account_ops.grant_role(admin, user, area, role, "demo account")
    return created


def _demo_admin() -> User | None:
    return account_ops.find_user_by_email(DEMO_USERS[0][0])


@click.command("create-user")
@click.option("--email", prompt=True, help="Login email address.")
@click.option("--name", "display_name", prompt="Display name", help="Name shown to others.")
@click.option("--admin", is_flag=True, help="Make the account an instance admin.")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the password from this file's first line (otherwise you are asked).")
def create_user(email: str, display_name: str, admin: bool, password_file: Path | None) -> None:
    """Create a confirmed account. The password is never taken from the command line."""
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = account_ops.create_user(email, display_name, password, admin=admin)
    except Refused as refused:
        db.session.rollback()
        raise click.ClickException(refused.message) from None
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}account {user.email} (id {user.id}).")


@click.command("recount")
def recount_command() -> None:
    """Check every stored counter against a fresh count, repair drift and report it."""
    drifts = maintenance.recount()
    db.session.commit()
    if not drifts:
        click.echo("All counters are right.")
        return
    for drift in drifts:
        click.echo(f"{drift.counter} #{drift.row_id}: stored {drift.stored}, actual {drift.actual} -> repaired")
    click.echo(f"{len(drifts)} counters repaired.")


@click.command("seed-bench")
@click.option("--area", "area_slug", default="vienna-simmering", show_default=True)
@click.option("--proposals", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True)
@click.option("--supports", type=click.IntRange(0, 10_000_000), default=200_000, show_default=True)
@click.option("--comments", type=click.IntRange(0, 5_000_000), default=100_000, show_default=True)
@click.option("--seed", type=int, default=2018, show_default=True, help="Random seed: same seed, same data.")
def seed_bench_command(area_slug: str, proposals: int, supports: int, comments: int, seed: int) -> None:
    """Fill a new process of one area with bulk benchmark data."""
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.render_finish()
            bars[stage] = click.progressbar(length=total, label=f"{stage:<12}", show_pos=True)
        bars[stage].update(done)

    started = time.perf_counter()
    try:
        result = bench_data.seed_bench(area_slug, proposals, supports, comments, seed=seed, progress=progress)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    for bar in bars.values():
        bar.render_finish()
    db.session.commit()
    click.echo(f"Process {result.process.id} ({result.process.slug}): {result.users} residents, "
               f"{result.proposals} proposals, {result.supports} supports, {result.comments} comments "
               f"in {time.perf_counter() - started:.1f} s.")


@click.command("send-digests")
def send_digests_command() -> None:
    """Mail the daily digest to everyone who chose it (run once a day, e.g. from cron)."""
    with current_app.test_request_context(base_url=current_app.config["SERVER_BASE_URL"]):
        sent = notifications.send_daily_digests()
        db.session.commit()
    click.echo(f"{sent} digests sent.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run background jobs (exports) from Redis; needs STENGAGE_REDIS_URL."""
    from redis import Redis
    from rq import Queue, Worker

    from stengage.reports.jobs import QUEUE_NAME

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("STENGAGE_REDIS_URL is not set: jobs run inline, no worker is needed.")
    connection = Redis.from_url(url)
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=burst)
