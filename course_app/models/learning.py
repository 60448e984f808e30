from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class ContentLoad(db.Model):
    """One row per `content load` that changed something: the content's version history."""

    __tablename__ = "content_loads"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    summary: Mapped[str] = mapped_column(Text, default="")


class Module(db.Model):
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    questions_per_attempt: Mapped[int] = mapped_column(default=10)
    pass_mark: Mapped[int] = mapped_column(default=80)
    #: Required for the certificate (`required:` in module.yaml; product §4). An optional module
    #: is offered and counted on its own but never blocks eligibility.
    required: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    #: Bumped whenever the module's files change; attempts record the version they answered.
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="module", order_by="Lesson.position",
        primaryjoin="and_(Lesson.module_id == Module.id, Lesson.is_active)", viewonly=True)


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("module_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    min_read_seconds: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    module: Mapped[Module] = relationship()


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Question(db.Model):
    """A question as it was in one content version. Changed text makes a new row, so old
    attempts keep showing exactly what was asked."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("module_id", "key", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    revision: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))  # single | multiple
    #: The lesson this question tests (`lesson:` in questions.yaml): the quiz draws from every
    #: lesson and a failed attempt points to the lesson to reread. NULL on rows loaded before
    #: the tag existed.
    lesson_slug: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)

    options: Mapped[list["Option"]] = relationship(
        back_populates="question", order_by="Option.position", lazy="selectin")


class Option(db.Model):
    __tablename__ = "options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    module_version: Mapped[int]
    pass_mark: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score_percent: Mapped[int | None]
    correct_count: Mapped[int | None]
    passed: Mapped[bool | None]

    module: Mapped[Module] = relationship()
    questions: Mapped[list["AttemptQuestion"]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position",
        cascade="all, delete-orphan", lazy="selectin")


class AttemptQuestion(db.Model):
    """A question drawn for an attempt, with the shuffled option order and the answer given."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    position: Mapped[int]
    option_order: Mapped[list] = mapped_column(JSON)
    selected_option_ids: Mapped[list | None] = mapped_column(JSON)
    is_correct: Mapped[bool | None]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship(lazy="joined")

    @property
    def ordered_options(self):
        by_id = {o.id: o for o in self.question.options}
        return [by_id[i] for i in self.option_order if i in by_id]
