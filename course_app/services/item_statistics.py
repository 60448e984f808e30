"""Item statistics of the quizzes, for P3A staff (product §4; issue 11 point 6): which question
is too easy, too hard, or does not tell those who understood from those who did not.

Per module and content version, over the **submitted** attempts of that version (an open attempt
has no answers yet). **Every attempt counts**, a participant's retries included — Moodle's
default ("all attempts"); a retry answers a fresh draw, so it is a new observation of the item.
Statistics are per question *revision* (a `questions` row): an attempt points at the row it was
asked, and a changed question is a new row.

- **Answers** (n): the attempts of the version that drew and answered the question.
- **Facility index**: the mean score on the item ×100. The quiz scores a question all-or-nothing
  (`quizzes.submit_attempt`: right only when the selected set equals the correct set, for
  multiple-answer questions too), so it is the share of answers that were right.
- **Discrimination index** (Moodle's definition): 100 × the Pearson correlation between the item
  score and the score on the rest of the attempt (`correct_count` minus the item's score), over
  the attempts that answered the item. Raw counts, as Moodle uses marks: within one version every
  attempt draws the same number of questions (`questions_per_attempt` belongs to the version).
  Undefined — shown as "—" with the reason — with fewer than MIN_ANSWERS answers, or when the
  item score or the rest score is the same in every attempt (zero variance: no correlation).
- **Option shares**: the share of answers that chose each option (for a multiple-answer question,
  that ticked it; the shares then add up to more than 100). Options are labelled A, B, C… in the
  bank's order; participants saw them shuffled.

Only aggregates leave this module: no name, account or attempt id (product §8).

Two grouped queries do the work whatever the number of attempts: the sums behind the indices
(n, Σx, Σy, Σx², Σy², Σxy per question) and the option counts (the JSON list of chosen options
unnested by the database: `json_each` on SQLite, `json_array_elements_text` on PostgreSQL). The
correlation is then computed from those integer sums exactly.
"""
import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, cast, func, select, true

from ..extensions import db
from ..models import AttemptQuestion, Module, Question, QuizAttempt
from . import NotFound
from .caselog.exports import neutralise

#: Fewer answers than this and the discrimination index is not computed, nor any flag raised:
#: a correlation over three or four attempts says nothing about the question.
MIN_ANSWERS = 5
#: Facility above this: nearly everyone is right (Moodle's guidance flags the extremes).
EASY_ABOVE = 90
#: Facility below this: few are right — often a wrong key or a confusing wording.
HARD_BELOW = 20
#: Discrimination below this: the item hardly separates who understood from who did not.
LOW_DISCRIMINATION_BELOW = 20

WARN, INFO = "warn", "info"


@dataclass(frozen=True)
class VersionSummary:
    """One content version of a module that has submitted attempts."""

    version: int
    attempts: int
    last_submitted_at: datetime | None


@dataclass
class ModuleSummary:
    module: Module
    versions: list  # VersionSummary, newest version first

    @property
    def attempts(self):
        return sum(v.attempts for v in self.versions)


@dataclass(frozen=True)
class OptionShare:
    label: str  # A, B, C… in the bank's order
    text: str
    is_correct: bool
    chosen: int
    share: float  # percent of the question's answers


@dataclass(frozen=True)
class Flag:
    level: str  # WARN: worth a look; INFO: not enough data to judge
    text: object  # a lazy string


@dataclass
class ItemStatistics:
    question: Question
    answers: int
    facility: float | None
    discrimination: float | None
    #: Why the discrimination index is undefined (None when it is defined).
    discrimination_note: object
    options: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    @property
    def needs_look(self):
        return any(flag.level == WARN for flag in self.flags)


@dataclass
class VersionStatistics:
    module: Module
    version: int | None  # None: no submitted attempt in any version yet
    attempts: int
    versions: list  # VersionSummary, newest first
    items: list = field(default_factory=list)

    @property
    def flagged(self):
        return sum(1 for item in self.items if item.needs_look)


def find_module(code):
    """A module by code, retired ones included (their old attempts still have statistics)."""
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None:
        raise NotFound()
    return module


def _submitted():
    return QuizAttempt.submitted_at.is_not(None)


def _versions_statement():
    return (select(QuizAttempt.module_id, QuizAttempt.module_version, func.count(QuizAttempt.id),
                   func.max(QuizAttempt.submitted_at))
            .where(_submitted())
            .group_by(QuizAttempt.module_id, QuizAttempt.module_version)
            .order_by(QuizAttempt.module_id, QuizAttempt.module_version.desc()))


def module_summaries():
    """Every module (active first, in reading order) with its versions that have submitted
    attempts; a module nobody has answered yet has an empty list."""
    by_module = {}
    for module_id, version, attempts, last in db.session.execute(_versions_statement()):
        by_module.setdefault(module_id, []).append(VersionSummary(version, attempts, last))
    modules = db.session.scalars(select(Module).order_by(
        Module.is_active.desc(), Module.position, Module.code)).all()
    return [ModuleSummary(module, by_module.get(module.id, [])) for module in modules
            if module.is_active or module.id in by_module]


def versions_with_attempts(module):
    """The module's versions that have submitted attempts, newest first."""
    rows = db.session.execute(_versions_statement().where(QuizAttempt.module_id == module.id))
    return [VersionSummary(version, attempts, last) for _id, version, attempts, last in rows]


def version_statistics(module, version=None):
    """The item statistics of one version of `module` (default: the newest with attempts).

    A version without submitted attempts is NotFound (the selector never offers it); a module
    without any gives an empty result (`version` None), which the page explains.
    """
    versions = versions_with_attempts(module)
    if version is None:
        if not versions:
            return VersionStatistics(module=module, version=None, attempts=0, versions=[])
        version = versions[0].version
    chosen = next((v for v in versions if v.version == version), None)
    if chosen is None:
        raise NotFound()
    sums = _score_sums(module, version)
    counts = _option_counts(module, version)
    questions = db.session.scalars(select(Question).where(Question.id.in_(list(sums)))).all()
    items = [_item(question, sums[question.id], counts) for question in questions]
    items.sort(key=lambda item: (item.question.key, item.question.revision))
    return VersionStatistics(module=module, version=version, attempts=chosen.attempts,
                             versions=versions, items=items)


def _answered(module, version):
    """The answered questions of the version's submitted attempts (a join, filtered)."""
    return (select().select_from(AttemptQuestion)
            .join(QuizAttempt, QuizAttempt.id == AttemptQuestion.attempt_id)
            .where(QuizAttempt.module_id == module.id, QuizAttempt.module_version == version,
                   _submitted(), AttemptQuestion.is_correct.is_not(None)))


def _score_sums(module, version):
    """question id → (n, Σx, Σy, Σx², Σy², Σxy), x the item score (0/1), y the rest score."""
    x = case((AttemptQuestion.is_correct, 1), else_=0)
    y = QuizAttempt.correct_count - x
    statement = (_answered(module, version)
                 .add_columns(AttemptQuestion.question_id, func.count(), func.sum(x), func.sum(y),
                              func.sum(x * x), func.sum(y * y), func.sum(x * y))
                 .group_by(AttemptQuestion.question_id))
    return {row[0]: tuple(int(value or 0) for value in row[1:])
            for row in db.session.execute(statement)}


def _option_counts(module, version):
    """(question id, option id) → how many answers chose that option."""
    if db.session.get_bind().dialect.name == "postgresql":
        chosen = func.json_array_elements_text(AttemptQuestion.selected_option_ids).table_valued("value")
        option_id = cast(chosen.c.value, Integer)
    else:
        chosen = func.json_each(AttemptQuestion.selected_option_ids).table_valued("value")
        option_id = chosen.c.value
    statement = (_answered(module, version).join(chosen, true())
                 .add_columns(AttemptQuestion.question_id, option_id, func.count())
                 .group_by(AttemptQuestion.question_id, option_id))
    return {(question_id, int(option)): count
            for question_id, option, count in db.session.execute(statement)}


def discrimination_index(n, sum_x, sum_y, sum_xx, sum_yy, sum_xy):
    """(index, None) or (None, reason): 100 × Pearson's r of item score x and rest score y,
    from their sums. Integer sums keep the variances exact, so zero variance is seen as zero."""
    if n < MIN_ANSWERS:
        return None, _l("Baru %(n)d jawaban; daya beda dihitung mulai %(min)d jawaban.",
                        n=n, min=MIN_ANSWERS)
    spread_x = n * sum_xx - sum_x * sum_x
    spread_y = n * sum_yy - sum_y * sum_y
    if spread_x == 0:
        if sum_x == n:
            return None, _l("Semua jawaban benar, jadi soal ini tidak membedakan peserta.")
        return None, _l("Semua jawaban salah, jadi soal ini tidak membedakan peserta.")
    if spread_y == 0:
        return None, _l("Nilai soal-soal lain sama pada semua percobaan; tidak ada pembanding.")
    covariance = n * sum_xy - sum_x * sum_y
    return 100 * covariance / math.sqrt(spread_x * spread_y), None


def facility_index(n, sum_x):
    """The mean item score ×100 (all-or-nothing scoring: the share of right answers)."""
    return 100 * sum_x / n if n else None


def _item(question, sums, counts):
    n, sum_x = sums[0], sums[1]
    discrimination, note = discrimination_index(*sums)
    options = [OptionShare(label=_option_label(index), text=option.text,
                           is_correct=option.is_correct,
                           chosen=counts.get((question.id, option.id), 0),
                           share=100 * counts.get((question.id, option.id), 0) / n if n else 0.0)
               for index, option in enumerate(question.options)]
    item = ItemStatistics(question=question, answers=n, facility=facility_index(n, sum_x),
                          discrimination=discrimination, discrimination_note=note,
                          options=options)
    item.flags = flags_for(item)
    return item


def _option_label(index):
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def flags_for(item):
    """Words, not colours: why a question is worth a look (or why it cannot be judged yet)."""
    if item.answers < MIN_ANSWERS:
        return [Flag(INFO, _l("Jawaban belum cukup untuk menilai soal ini."))]
    flags = []
    if item.facility > EASY_ABOVE:
        flags.append(Flag(WARN, _l("Terlalu mudah: hampir semua peserta menjawab benar.")))
    elif item.facility < HARD_BELOW:
        flags.append(Flag(WARN, _l("Terlalu sulit: sedikit peserta menjawab benar. Periksa "
                                   "kunci jawaban dan kalimat soalnya.")))
    if item.discrimination is not None:
        if item.discrimination < 0:
            flags.append(Flag(WARN, _l("Daya beda negatif: peserta yang nilainya tinggi justru "
                                       "lebih sering salah. Periksa kunci jawabannya.")))
        elif item.discrimination < LOW_DISCRIMINATION_BELOW:
            flags.append(Flag(WARN, _l("Daya beda rendah: soal ini hampir tidak membedakan "
                                       "peserta yang paham dari yang belum.")))
    if item.question.kind == "single":
        right = max((o.chosen for o in item.options if o.is_correct), default=0)
        favourites = [o.label for o in item.options if not o.is_correct and o.chosen > right]
        if favourites:
            flags.append(Flag(WARN, _l("Pilihan salah %(labels)s dipilih lebih sering daripada "
                                       "jawaban yang benar. Periksa kunci jawaban.",
                                       labels=", ".join(favourites))))
    return flags


# --- the CSV export ---------------------------------------------------------------------------

def csv_columns():
    return [gettext("Kode materi"), gettext("Versi"), gettext("Kode soal"), gettext("Revisi"),
            gettext("Pelajaran"), gettext("Jenis soal"), gettext("Pertanyaan"),
            gettext("Jumlah jawaban"), gettext("Indeks kemudahan"), gettext("Indeks daya beda"),
            gettext("Catatan daya beda"), gettext("Perlu ditinjau"), gettext("Pilihan"),
            gettext("Teks pilihan"), gettext("Kunci jawaban"), gettext("Dipilih (jumlah)"),
            gettext("Dipilih (%)")]


def kind_label(kind):
    return gettext("beberapa jawaban") if kind == "multiple" else gettext("satu jawaban")


def _number(value):
    return "" if value is None else round(value, 1)


def statistics_csv(stats):
    """The page's table as CSV, **one row per option** (the question's columns repeat on each of
    its rows): numbers stay numbers, and any number of options fits. UTF-8 with a BOM so Excel
    reads it; text cells neutralised against formula injection (caselog/exports.py)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_columns())
    for item in stats.items:
        question = item.question
        head = [stats.module.code, stats.version, question.key, question.revision,
                question.lesson_slug or "", kind_label(question.kind), question.text, item.answers,
                _number(item.facility), _number(item.discrimination),
                str(item.discrimination_note or ""),
                "; ".join(str(flag.text) for flag in item.flags if flag.level == WARN)]
        for option in item.options:
            row = head + [option.label, option.text,
                          gettext("ya") if option.is_correct else gettext("tidak"),
                          option.chosen, _number(option.share)]
            writer.writerow([neutralise(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
