"""`flask letters purge`: delete the SKCK files whose retention time is over (UU 27/2022;
rules in services/letters/retention.py). Run it daily from cron or a systemd timer."""
import click
from flask.cli import AppGroup

from ..extensions import db
from ..services.caselog import audit
from ..services.letters import retention

letters_cli = AppGroup("letters", help="Good-conduct letters (SKCK): file retention.")


@letters_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what is due; delete nothing.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Letters examined per transaction.")
def purge_command(dry_run, batch_size):
    """Delete SKCK files LETTER_FILE_RETENTION_DAYS Kupang days after the decision they served.

    Idempotent: a deleted file is never examined again. Each batch commits on its own, so an
    interrupted run keeps what it did. Prints counts only, never names."""
    after_batch = None if dry_run else db.session.commit
    report = retention.purge(batch_size=batch_size, dry_run=dry_run, after_batch=after_batch)
    if dry_run:
        db.session.rollback()
    elif report.deleted:
        audit.record(None, "letters_purge", detail=audit.describe_filters(
            deleted=report.deleted, days=retention.retention_days()))
        db.session.commit()
    reasons = " ".join(f"{code}={report.by_reason[code]}" for code in retention.REASONS
                       if report.by_reason[code])
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"letters purge: examined {report.examined}, {verb} {report.deleted} files "
               f"({report.bytes_freed} bytes){': ' + reasons if reasons else ''}; "
               f"retention {retention.retention_days()} days")
