"""`flask --app course_app caselog ...`: seed lists, generate synthetic cases, import a file,
rotate the encryption keys. Each command commits once, at its end (or not at all)."""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..services import DomainError
from .task_digest import task_digest_command

caselog_cli = AppGroup("caselog", help="Case-log: seed lists, generate, import, rotate keys.")
caselog_cli.add_command(task_digest_command)  # the overdue-task digest (task_digest.py)


@caselog_cli.command("seed")
def seed_command():
    """Add the reference lists (categories, kecamatan, kelurahan) that are missing. Idempotent."""
    from ..services.caselog import lookups

    added = lookups.seed_reference_data()
    db.session.commit()
    click.echo(f"reference data: {added} entries added")


@caselog_cli.command("generate")
@click.option("--count", default=1000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
def generate_command(count, seed):
    """Create COUNT synthetic cases (no real people) for demos and benchmarks."""
    from ..services.caselog import audit, synthetic

    def progress(done):
        if done % 20000 == 0 or done == count:
            click.echo(f"  {done:,} / {count:,}", err=True)

    made = synthetic.generate(count, seed, progress=progress if count >= 20000 else None)
    audit.record(None, "generate", "case", None, f"count={made} seed={seed}")
    db.session.commit()
    click.echo(f"generated {made} synthetic cases (seed {seed})")


@caselog_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--source", default="polres", show_default=True,
              help="Source code for rows without a 'sumber' column.")
@click.option("--yes", is_flag=True, help="Import without asking for confirmation.")
@click.option("--skip-duplicates", is_flag=True,
              help="Skip reports already recorded (listed) and import the rest.")
def import_command(path, dry_run, source, yes, skip_duplicates):
    """Check a CSV/XLSX file of cases and import it — all rows or none (docs/caselog-import.md)."""
    from ..services.caselog import audit, imports, lookups, spreadsheet

    lookups.ensure_seeded()
    try:
        spreadsheet.check_size(path.stat().st_size)  # the web upload's limit, before reading
        with path.open("rb") as file:
            data = file.read(spreadsheet.max_upload_bytes() + 1)  # a file that grew meanwhile
        batch, result = imports.preview_file(path.name, data, source, None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{path.name}: {result.row_count} rows, {len(result.problems)} problems")
    for column in result.ignored_columns:
        click.echo(f"  ignored column: {column}")
    if result.blank_rows:
        click.echo(f"  {imports.describe_blank_rows(result)}")
    if result.problems:
        click.echo("row\tcolumn\treason")
        for row, column, reason in result.problems:
            click.echo(f"{row}\t{column}\t{reason}")
        imports.discard_import(batch)
        db.session.commit()
        click.echo("nothing imported: fix the rows above and run again", err=True)
        sys.exit(1)
    if result.duplicates:
        click.echo("row\tno_laporan\talready recorded as")
        for row, reference, number in result.duplicates:
            click.echo(f"{row}\t{reference}\tDuplikat: {number}")
        if not skip_duplicates:
            imports.discard_import(batch)
            db.session.commit()
            click.echo("nothing imported: these reports are already recorded; run again with "
                       "--skip-duplicates to import the rest", err=True)
            sys.exit(1)
    if dry_run:
        imports.discard_import(batch)
        db.session.commit()
        click.echo(f"dry run: {len(result.rows)} cases would be imported; nothing written")
        return
    if not yes and not click.confirm(f"Import {len(result.rows)} cases?", default=False):
        imports.discard_import(batch)
        db.session.commit()
        click.echo("cancelled: nothing imported")
        return
    try:
        ids = imports.confirm_import(batch, None, skip_duplicates=skip_duplicates)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    audit.record(None, "import_confirm", "import", batch.id,
                 f"cases={len(ids)} skipped={len(result.duplicates)} via=cli")
    db.session.commit()
    click.echo(f"imported {len(ids)} cases")


@caselog_cli.command("rotate-keys")
def rotate_keys_command():
    """Re-encrypt every case-log value with the newest key in CASELOG_ENCRYPTION_KEYS."""
    from ..services.caselog import audit, crypto

    try:
        counts = crypto.rotate_keys()
    except crypto.KeyRingError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    audit.record(None, "keys_rotate", None, None, f"values={sum(counts.values())}")
    db.session.commit()
    for table, n in counts.items():
        click.echo(f"{table}: {n} values re-encrypted")
    click.echo("done: every value now uses the first key; older keys may be removed once "
               "backups made before today are no longer needed")
