"""`flask --app course_app caselog task-digest`: the daily email of overdue follow-up tasks
(issue 13 point 2). Run it once a day from cron; running it again the same Kupang day queues
nothing more. The emails go through the outbox (services/mail), written in this command's one
commit. Registered on the `caselog` group by commands.py."""
import click

from ..extensions import db


@click.command("task-digest")
def task_digest_command():
    """Queue one email per caseworker with overdue tasks (task titles and case numbers only)."""
    from ..services import clock
    from ..services.caselog import audit
    from ..services.caselog.management import tasks

    today = clock.today()
    queued = tasks.queue_task_digests(today)
    audit.record(None, "task_digest", "case", None, f"day={today.isoformat()} emails={queued}")
    db.session.commit()
    click.echo(f"task digest {today.isoformat()}: {queued} emails queued")
