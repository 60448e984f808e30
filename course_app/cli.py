"""Flask CLI commands: users, content, demo. Each command commits once, at its end."""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .extensions import db
from .models import ROLES
from .services import DomainError

users_cli = AppGroup("users", help="Manage user accounts.")
content_cli = AppGroup("content", help="Load course content from content/.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--name", "full_name", default=None, help="Full name; defaults to the email's local part.")
@click.option("--password", default=None, help="Omit to be prompted (recommended).")
def create_user_command(email, roles, full_name, password):
    """Create a user with one or more roles (e.g. --role reviewer --role admin)."""
    from .services import accounts

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_staff_user(email=email, password=password, roles=roles,
                                          full_name=full_name or email.split("@")[0])
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    click.echo(f"created user {user.id} with roles {', '.join(sorted(user.role_codes))}")


@users_cli.command("list")
def list_users_command():
    from .models import User
    for user in db.session.scalars(db.select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.email}\t{','.join(sorted(user.role_codes))}")


@content_cli.command("load")
@click.option("--dir", "directory", default=None, help="Content directory (default CONTENT_DIR).")
def load_content_command(directory):
    """Load modules, lessons and questions. Idempotent; nothing is written if any file is broken."""
    from .services import content

    try:
        report = content.load_content(directory or current_app.config["CONTENT_DIR"])
        db.session.commit()
    except content.ContentError as error:
        db.session.rollback()
        click.echo(f"content not loaded: {error}", err=True)
        sys.exit(1)
    click.echo(report.describe())


@click.command("demo")
def demo_command():
    """Create demo accounts (one per role) and a demo couple; print them as JSON."""
    from .services import demo

    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("demo data is disabled in production (set DEMO_ALLOWED=1 to override)")
    result = demo.create_demo()
    db.session.commit()
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


def register(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_command)
    from .caselog.commands import caselog_cli
    from .certificates.commands import register as register_certificate_commands
    from .letters.commands import letters_cli

    app.cli.add_command(caselog_cli)
    app.cli.add_command(letters_cli)
    register_certificate_commands(app)
