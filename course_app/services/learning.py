"""Reading the modules: which lessons a participant opened and read, and what is complete.

product §4 (engagement): each lesson must be opened and confirmed read, after a minimum reading
time, before its module's quiz opens. A module is complete when all its lessons are read and
its quiz has been passed (the best attempt counts).
"""
import math
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Lesson, LessonProgress, Module, QuizAttempt
from . import DomainError, NotFound
from .clock import utcnow

#: Status codes of a module for one participant, in the order they are reached.
STATUSES = ("belum_mulai", "membaca", "kuis", "selesai")
STATUS_LABELS = {
    "belum_mulai": _l("Belum mulai"),
    "membaca": _l("Sedang membaca"),
    "kuis": _l("Siap kuis"),
    "selesai": _l("Selesai"),
}


@dataclass
class ModuleProgress:
    module: Module
    lessons_total: int
    lessons_read: int
    quiz_unlocked: bool
    best_score: int | None
    passed: bool
    status: str

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def is_complete(self):
        return self.status == "selesai"

    @property
    def percent(self):
        """Share of the module done: each lesson is one step, passing the quiz is the last."""
        steps = self.lessons_total + 1
        done = self.lessons_read + (1 if self.passed else 0)
        return round(100 * done / steps)


def list_modules():
    """Active modules in their reading order."""
    return db.session.scalars(
        select(Module).where(Module.is_active).order_by(Module.position, Module.code)).all()


def find_module(code):
    module = db.session.scalar(select(Module).where(Module.code == code, Module.is_active))
    if module is None:
        raise NotFound()
    return module


def find_lesson(module, slug):
    lesson = db.session.scalar(select(Lesson).where(
        Lesson.module_id == module.id, Lesson.slug == slug, Lesson.is_active))
    if lesson is None:
        raise NotFound()
    return lesson


def active_lessons(module):
    return db.session.scalars(select(Lesson).where(Lesson.module_id == module.id, Lesson.is_active)
                              .order_by(Lesson.position, Lesson.id)).all()


@dataclass
class LessonPlace:
    """Where a lesson sits in its module: its number and the lessons before and after it."""

    number: int
    total: int
    before: Lesson | None
    after: Lesson | None


def lesson_place(module, lesson):
    lessons = active_lessons(module)
    index = next(i for i, le in enumerate(lessons) if le.id == lesson.id)
    return LessonPlace(number=index + 1, total=len(lessons),
                       before=lessons[index - 1] if index > 0 else None,
                       after=lessons[index + 1] if index + 1 < len(lessons) else None)


def lesson_progress(user, module):
    """{lesson id: LessonProgress} for the user's progress in one module."""
    rows = db.session.scalars(
        select(LessonProgress).join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user.id, Lesson.module_id == module.id)).all()
    return {p.lesson_id: p for p in rows}


def get_progress(user, lesson):
    return db.session.scalar(select(LessonProgress).where(
        LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id))


def open_lesson(user, lesson, now=None):
    """Record the first time the user opens the lesson; later opens change nothing.

    The reading time counts from the first open. Two simultaneous first opens (a double tap)
    are harmless: the insert skips an existing row instead of failing.
    """
    progress = get_progress(user, lesson)
    if progress is not None:
        return progress
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    values = {"user_id": user.id, "lesson_id": lesson.id, "opened_at": now or utcnow()}
    if insert is None:  # another engine: a plain insert (no concurrent double opens expected)
        db.session.add(LessonProgress(**values))
        db.session.flush()
    else:
        db.session.execute(insert(LessonProgress).values(**values)
                           .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"]))
    return get_progress(user, lesson)


def required_read_seconds(lesson):
    """The lesson's own minimum reading time, else the site-wide one (LESSON_MIN_READ_SECONDS),
    which replaces the lesson's own where LESSON_MIN_READ_OVERRIDES is set (development only)."""
    if lesson.min_read_seconds is not None and not current_app.config.get("LESSON_MIN_READ_OVERRIDES"):
        return lesson.min_read_seconds
    return current_app.config["LESSON_MIN_READ_SECONDS"]


#: A careful reader on a phone (issue 12 point 4): the lesson page says "± N menit baca".
READING_WORDS_PER_MINUTE = 150
_PICTURE_OR_LINK_TARGET = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)")


def reading_minutes(lesson):
    """The lesson's reading time in whole minutes (at least 1), from the words of its text:
    picture references and link targets are not read, so they are not counted."""
    words = len(_PICTURE_OR_LINK_TARGET.sub(" ", lesson.body_markdown or "").split())
    return max(1, round(words / READING_WORDS_PER_MINUTE))


def read_seconds_remaining(progress, lesson, now=None):
    """Whole seconds until the lesson may be confirmed read (0 when it may be now)."""
    if progress is None:
        return required_read_seconds(lesson)
    if progress.read_at is not None:
        return 0
    ready_at = progress.opened_at + timedelta(seconds=required_read_seconds(lesson))
    return max(0, math.ceil((ready_at - (now or utcnow())).total_seconds()))


def mark_lesson_read(user, lesson, now=None):
    """Confirm the lesson read. Refused until it has been open for its minimum reading time.

    Confirming twice is harmless: the first confirmation's time is kept.
    """
    now = now or utcnow()
    progress = get_progress(user, lesson)
    if progress is None:
        raise DomainError(_l("Buka dan baca pelajaran ini terlebih dahulu."))
    if progress.read_at is not None:
        return progress
    remaining = read_seconds_remaining(progress, lesson, now)
    if remaining > 0:
        raise DomainError(_l(
            "Luangkan waktu untuk membaca pelajaran ini sampai selesai. Anda bisa menandainya "
            "sudah dibaca dalam %(n)d detik lagi.", n=remaining))
    progress.read_at = now
    db.session.flush()
    return progress


def quiz_unlocked(user, module):
    """The quiz opens when every active lesson of the module has been confirmed read."""
    total = db.session.scalar(select(func.count()).select_from(Lesson).where(
        Lesson.module_id == module.id, Lesson.is_active))
    read = db.session.scalar(
        select(func.count()).select_from(LessonProgress)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user.id, Lesson.module_id == module.id,
               Lesson.is_active, LessonProgress.read_at.is_not(None)))
    return read >= total


def module_progress(user):
    """Progress in every active module, in reading order. Four queries whatever the count."""
    modules = list_modules()
    totals = dict(db.session.execute(
        select(Lesson.module_id, func.count()).where(Lesson.is_active)
        .group_by(Lesson.module_id)).all())
    reading = {row.module_id: row for row in db.session.execute(
        select(Lesson.module_id,
               func.count(LessonProgress.id).label("opened"),
               func.count(LessonProgress.read_at).label("read"))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.user_id == user.id, Lesson.is_active)
        .group_by(Lesson.module_id))}
    scores = {row.module_id: row for row in db.session.execute(
        select(QuizAttempt.module_id,
               func.max(QuizAttempt.score_percent).label("best"),
               func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)).label("passed"))
        .where(QuizAttempt.user_id == user.id, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.module_id))}
    result = []
    for module in modules:
        total = totals.get(module.id, 0)
        row = reading.get(module.id)
        opened, read = (row.opened, row.read) if row else (0, 0)
        score = scores.get(module.id)
        best = score.best if score else None
        passed = bool(score and score.passed)
        unlocked = read >= total
        if unlocked and passed:
            status = "selesai"
        elif unlocked:
            status = "kuis"
        elif opened or best is not None:
            status = "membaca"
        else:
            status = "belum_mulai"
        result.append(ModuleProgress(module=module, lessons_total=total, lessons_read=read,
                                     quiz_unlocked=unlocked, best_score=best, passed=passed,
                                     status=status))
    return result


def completed_all_modules(user):
    """Every active module complete: all lessons read and a passed quiz attempt.

    With no active modules at all nothing has been learned, so the answer is False.
    """
    progress = module_progress(user)
    return bool(progress) and all(p.is_complete for p in progress)
