"""`flask keys generate|rotate|list` and `flask certificates verify|revoke|issue-pending`
(issues 4 and 10)."""
import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models.certificates import REVOCATION_REASONS
from ..services import DomainError, signing
from ..services import certificates as service

keys_cli = AppGroup("keys", help="Ed25519 signing keys for certificates (private keys stay in files).")
certificates_cli = AppGroup("certificates", help="Verify, revoke and issue pending certificates.")


@keys_cli.command("generate")
@click.option("--if-missing", is_flag=True,
              help="Only when no active key with its private file exists (for `make run`).")
def generate_command(if_missing):
    """Make a signing key: a 0600 PEM file in SIGNING_KEYS_DIR and its public half in the database."""
    if if_missing and signing.can_sign():
        key = signing.current_signing_key()[0]
        click.echo(f"signing key {key.kid} already present in {signing.keys_dir()}")
        return
    key = signing.generate_key()
    db.session.commit()
    click.echo(f"generated signing key {key.kid}: {signing.key_path(key.kid)}")


@keys_cli.command("rotate")
def rotate_command():
    """Sign with a new key from now on; the old keys keep verifying what they signed."""
    new_key, retired = signing.rotate_keys()
    db.session.commit()
    for key in retired:
        click.echo(f"retired {key.kid}: verifies until {signing.iso(key.valid_until)}")
    click.echo(f"now signing with {new_key.kid}: {signing.key_path(new_key.kid)}")


@keys_cli.command("list")
def list_command():
    """Every key: id, validity, and whether its private file is on this host."""
    keys = signing.all_keys()
    if not keys:
        click.echo("no signing keys; run `flask --app course_app keys generate`")
        return
    click.echo("kid       valid_from            signs_until           valid_until           private_file")
    for key in keys:
        click.echo(f"{key.kid}  {signing.iso(key.valid_from)}  "
                   f"{signing.iso(key.retired_at) if key.retired_at else '(active)':<20}  "
                   f"{signing.iso(key.valid_until) if key.valid_until else '-':<20}  "
                   f"{'yes' if signing.has_private_file(key) else 'MISSING'}")


@certificates_cli.command("verify")
@click.argument("url_or_token")
def verify_command(url_or_token):
    """Check a QR's content (the URL, or the token alone) and print the status.

    Exits 0 only for `valid`. Names are printed masked, as on the public page; the birth
    dates of a format-2 token follow them, in the same order, for matching with the KTP.
    """
    result = service.verify_token(url_or_token)
    click.echo(f"status: {result.status}")
    if result.reason:
        click.echo(f"reason: {result.reason}")
    if result.claims is not None:
        click.echo(f"id: {result.claims.certificate_id}")
        click.echo(f"format: {result.claims.version}")
        click.echo(f"names: {', '.join(service.mask_name(n) for n in result.claims.names)}")
        if result.claims.birth_dates is not None:
            click.echo(f"born: {', '.join(d.isoformat() for d in result.claims.birth_dates)}")
        click.echo(f"issued_at: {signing.iso(result.claims.issued_at)}")
        click.echo(f"expires_at: {signing.iso(result.claims.expires_at)}")
    certificate = result.certificate
    if certificate is not None and certificate.used_at is not None:
        click.echo(f"used: {certificate.marriage_date.isoformat()} at {certificate.marriage_institution_name}")
    if certificate is not None and certificate.revoked_at is not None:
        click.echo(f"revoked: {signing.iso(certificate.revoked_at)} ({certificate.revocation_reason})")
    sys.exit(0 if result.status == "valid" else 1)


@certificates_cli.command("revoke")
@click.argument("certificate_id")
@click.option("--reason", required=True, type=click.Choice(REVOCATION_REASONS))
@click.option("--note", default=None, help="Internal note (not sent to the couple).")
def revoke_command(certificate_id, reason, note):
    """Revoke a certificate with a reason category; the couple is emailed."""
    certificate = service.get_certificate(certificate_id)
    if certificate is None:
        raise click.ClickException(f"no certificate with id {certificate_id}")
    try:
        service.revoke_certificate(certificate, None, reason, note)
        service.notify_revocation(certificate)  # the outbox: committed with the revocation
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    click.echo(f"revoked {certificate.id} ({reason}); the couple's emails are in the outbox "
               "(`flask mail send` sends them)")


@certificates_cli.command("issue-pending")
def issue_pending_command():
    """Issue every certificate that is due but missing (an issue that failed, or no signing key
    then). For cron; exits 1 when an eligible couple still could not get one (see the log)."""
    issued, failed = service.issue_pending()
    db.session.commit()
    for couple in issued:
        certificate = service.live_certificate(couple)
        click.echo(f"issued {certificate.id} for couple {couple.id}")
    for couple in failed:
        click.echo(f"couple {couple.id} is eligible but its certificate could not be issued "
                   "(see the log)", err=True)
    click.echo(f"{len(issued)} issued, {len(failed)} failed")
    sys.exit(1 if failed else 0)


def register(app):
    app.cli.add_command(keys_cli)
    app.cli.add_command(certificates_cli)

