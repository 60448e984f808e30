"""The quiz engine (product §4).

Each attempt draws `questions_per_attempt` active questions of the module, stratified by
lesson (`draw_questions`), and shuffles their options; it records the module's content version
and pass mark at the start, so later content changes never alter an attempt. The highest attempt counts. After a failed
attempt the participant waits QUIZ_COOLDOWN_SECONDS before the next one.
"""
import random
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..models import AttemptQuestion, Question, QuizAttempt
from . import DomainError, NotFound, events, learning
from .clock import utcnow


class AttemptAlreadySubmitted(DomainError):
    """The attempt was submitted before (another tab, a double tap): it counts once."""

    def __init__(self):
        super().__init__(_l("Jawaban untuk percobaan ini sudah pernah dikirim."))


class UnansweredQuestions(DomainError):
    """Some drawn questions have no answer. `question_ids` are AttemptQuestion ids."""

    def __init__(self, question_ids):
        count = len(question_ids)
        super().__init__(_l("Masih ada %(n)d pertanyaan yang belum dijawab. Jawab semua "
                            "pertanyaan, lalu kirim lagi.", n=count))
        self.question_ids = set(question_ids)


@dataclass
class QuizOverview:
    """Everything the quiz box and the quiz intro page show for one participant."""

    module: object
    unlocked: bool
    open_attempt: QuizAttempt | None
    best: QuizAttempt | None
    cooldown: timedelta | None
    history: list = field(default_factory=list)

    @property
    def passed(self):
        return any(a.passed for a in self.history)

    @property
    def can_start(self):
        return self.unlocked and self.open_attempt is None and self.cooldown is None


def wait_seconds(remaining):
    """Whole seconds left, rounded up, so the wait is never understated."""
    return max(0, int(-(-remaining.total_seconds() // 1)))


def describe_wait(remaining):
    """'12 menit 5 detik' / '40 detik' — rounded up, so the wait is never understated."""
    seconds = wait_seconds(remaining)
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return _l("%(m)d menit %(s)d detik", m=minutes, s=seconds)
    return _l("%(s)d detik", s=seconds)


@dataclass
class Review:
    """What a submitted attempt's result page may show (Moodle's review options).

    After a failed attempt: which questions were wrong and which lessons to reread, never the
    right options nor the explanations (they would turn the next attempt into copying). After a
    passed attempt: the right answers and the explanations.
    """

    attempt: QuizAttempt
    show_answers: bool
    wrong: list
    reread: list
    #: The module's active lessons by slug: where each question's lesson tag points.
    lessons: dict = field(default_factory=dict)

    @property
    def questions(self):
        return self.attempt.questions

    def lesson_for(self, attempt_question):
        """The lesson this question tests, or None (untagged, or its lesson is gone)."""
        return self.lessons.get(attempt_question.question.lesson_slug)


def lessons_to_reread(attempt, wrong):
    """The lessons the wrong questions test, in the module's order (issue 11 point 5).

    Each question names its lesson (`lesson_slug`, from `lesson:` in questions.yaml). A wrong
    question without one (a row loaded before the tag existed) or whose lesson is no longer
    active could come from any lesson: it sends the participant back to every lesson.
    """
    if not wrong:
        return []
    module_lessons = list(attempt.module.lessons)
    slugs = {aq.question.lesson_slug for aq in wrong}
    if not slugs <= {lesson.slug for lesson in module_lessons}:
        return module_lessons
    return [lesson for lesson in module_lessons if lesson.slug in slugs]


def review(attempt):
    """The review of a submitted attempt; see `Review`."""
    wrong = [aq for aq in attempt.questions if not aq.is_correct]
    return Review(attempt=attempt, show_answers=bool(attempt.passed), wrong=wrong,
                  reread=[] if attempt.passed else lessons_to_reread(attempt, wrong),
                  lessons={lesson.slug: lesson for lesson in attempt.module.lessons})


def draw_questions(bank, count, rng):
    """`count` questions of `bank` that cover every lesson (issue 11 point 4, product §4).

    Stratified, then random: the questions are grouped by the lesson they test (untagged rows,
    loaded before the tag existed, are one more group); each group gets ⌊count/groups⌋ or
    ⌈count/groups⌉ of the draw — the larger share going to groups chosen at random, so every
    lesson is asked when count ≥ groups — and what a group too small cannot give is drawn at
    random from the questions left. The drawn questions come in random order.
    """
    count = min(count, len(bank))
    groups = {}
    for question in bank:
        groups.setdefault(question.lesson_slug, []).append(question)
    order = sorted(groups, key=lambda slug: (slug is None, slug or ""))
    rng.shuffle(order)
    share, larger = divmod(count, len(order))
    drawn = []
    for index, slug in enumerate(order):
        group = groups[slug]
        drawn += rng.sample(group, min(len(group), share + (1 if index < larger else 0)))
    taken = {question.id for question in drawn}
    drawn += rng.sample([q for q in bank if q.id not in taken], count - len(drawn))
    rng.shuffle(drawn)
    return drawn


def find_attempt(attempt_id, user):
    """The user's own attempt; anyone else's attempt does not exist for them (NotFound)."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound()
    return attempt


def open_attempt(user, module):
    """The user's started but not yet submitted attempt at this module's quiz, if any."""
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                  QuizAttempt.module_id == module.id,
                                  QuizAttempt.submitted_at.is_(None))
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc()).limit(1))


def attempt_history(user, module):
    """Submitted attempts, newest first."""
    return db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                  QuizAttempt.module_id == module.id,
                                  QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())).all()


def best_attempt(user, module):
    """The highest-scoring submitted attempt (the earliest of equal ones): the one that counts."""
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                  QuizAttempt.module_id == module.id,
                                  QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.score_percent.desc(), QuizAttempt.submitted_at.asc(),
                  QuizAttempt.id.asc()).limit(1))


def cooldown_remaining(user, module, now=None):
    """Time left before a new attempt after the latest failed one; None when none is left."""
    seconds = current_app.config["QUIZ_COOLDOWN_SECONDS"]
    if seconds <= 0:
        return None
    last_failed = db.session.scalar(
        select(QuizAttempt.submitted_at).where(
            QuizAttempt.user_id == user.id, QuizAttempt.module_id == module.id,
            QuizAttempt.submitted_at.is_not(None), QuizAttempt.passed.is_(False))
        .order_by(QuizAttempt.submitted_at.desc()).limit(1))
    if last_failed is None:
        return None
    remaining = last_failed + timedelta(seconds=seconds) - (now or utcnow())
    return remaining if remaining > timedelta(0) else None


def quiz_overview(user, module, now=None):
    history = attempt_history(user, module)
    best = max(history, key=lambda a: (a.score_percent, -a.submitted_at.timestamp(), -a.id),
               default=None)
    return QuizOverview(module=module, unlocked=learning.quiz_unlocked(user, module),
                        open_attempt=open_attempt(user, module), best=best,
                        cooldown=cooldown_remaining(user, module, now), history=history)


def start_attempt(user, module, now=None, rng=None):
    """Start an attempt, or return the one already open for this module.

    Refused while the quiz is locked (not every lesson read) and during the cool-down after a
    failed attempt. Questions are drawn with `random.SystemRandom` unless `rng` is given.
    """
    now = now or utcnow()
    if not learning.quiz_unlocked(user, module):
        raise DomainError(_l("Kuis ini terbuka setelah Anda selesai membaca semua pelajaran "
                             "di materi ini."))
    existing = open_attempt(user, module)
    if existing is not None:
        return existing
    remaining = cooldown_remaining(user, module, now)
    if remaining is not None:
        raise DomainError(_l("Anda belum lulus pada percobaan terakhir. Gunakan waktu ini untuk "
                             "membaca ulang materinya; kuis bisa dicoba lagi dalam %(wait)s.",
                             wait=describe_wait(remaining)))
    bank = db.session.scalars(select(Question).where(
        Question.module_id == module.id, Question.is_active).order_by(Question.id)).all()
    if not bank:
        raise DomainError(_l("Kuis untuk materi ini belum tersedia. Silakan coba lagi nanti."))
    rng = rng or random.SystemRandom()
    drawn = draw_questions(bank, module.questions_per_attempt, rng)
    attempt = QuizAttempt(user_id=user.id, module_id=module.id, module_version=module.version,
                          pass_mark=module.pass_mark, started_at=now)
    for position, question in enumerate(drawn, start=1):
        order = [o.id for o in question.options]
        rng.shuffle(order)
        attempt.questions.append(AttemptQuestion(question_id=question.id, position=position,
                                                 option_order=order))
    db.session.add(attempt)
    db.session.flush()
    return attempt


def submit_attempt(user, attempt, answers, now=None):
    """Grade and close an attempt. `answers` maps AttemptQuestion id → selected option ids.

    Every drawn question must be answered, only with its own options, and with one option for a
    single-answer question. A question is right only when the selected set equals the correct
    set. The attempt is closed with a conditional UPDATE, so of two simultaneous submissions
    exactly one counts; the other raises AttemptAlreadySubmitted.
    """
    now = now or utcnow()
    if attempt.submitted_at is not None:
        raise AttemptAlreadySubmitted()
    drawn = {aq.id: aq for aq in attempt.questions}
    if any(key not in drawn for key in answers):
        raise DomainError(_l("Jawaban yang dikirim tidak cocok dengan pertanyaan kuis ini. "
                             "Muat ulang halaman, lalu coba lagi."))
    selections, unanswered = {}, []
    for aq_id, aq in drawn.items():
        chosen = set(answers.get(aq_id) or ())
        if not chosen:
            unanswered.append(aq_id)
            continue
        own = {o.id for o in aq.question.options}
        if not chosen <= own:
            raise DomainError(_l("Ada pilihan jawaban yang bukan milik pertanyaannya. "
                                 "Muat ulang halaman, lalu coba lagi."))
        if aq.question.kind == "single" and len(chosen) > 1:
            raise DomainError(_l("Pertanyaan nomor %(n)d hanya boleh dijawab dengan satu "
                                 "pilihan.", n=aq.position))
        selections[aq_id] = chosen
    if unanswered:
        raise UnansweredQuestions(unanswered)

    results = {aq_id: selections[aq_id] == {o.id for o in aq.question.options if o.is_correct}
               for aq_id, aq in drawn.items()}
    correct = sum(results.values())
    total = len(drawn)
    # Rounded half up, as people expect: 79.5 % counts as 80 %.
    score = (200 * correct + total) // (2 * total)
    passed = score >= attempt.pass_mark

    closed = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, score_percent=score, correct_count=correct, passed=passed)
        .execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        raise AttemptAlreadySubmitted()
    for aq_id, aq in drawn.items():
        aq.selected_option_ids = sorted(selections[aq_id])
        aq.is_correct = results[aq_id]
    db.session.flush()
    db.session.refresh(attempt)
    if attempt.passed:
        events.quiz_passed.send(user, module=attempt.module, attempt=attempt)
    return attempt
