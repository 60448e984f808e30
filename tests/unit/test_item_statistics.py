"""Item statistics (product §4, issue 11 point 6): facility and discrimination index per question
and module version, option shares, and the words that flag a question worth a look.

The numbers below are computed by hand from the six attempts of `graded`:

    attempt  Q1 Q2 Q3  total     Q1: x 1 1 1 0 1 0   rest y 2 1 1 1 0 0
    1         1  1  1    3           n=6 Σx=4 Σy=5 Σx²=4 Σy²=7 Σxy=4
    2         1  1  0    2           r = (6·4 − 4·5) / √((6·4 − 16)(6·7 − 25)) = 4/√136
    3         1  0  1    2             = 0.34300 → 34.3; facility 4/6 = 66.7
    4         0  1  0    1       Q2: x 1 1 0 1 0 0   y 2 1 2 0 1 0: 6·3 − 3·6 = 0 → r = 0
    5         1  0  0    1       Q3: x 1 0 1 0 0 0   y 2 2 1 1 1 0:
    6         0  0  0    0           r = (6·3 − 2·7) / √((6·2 − 4)(6·11 − 49)) = 4/√136
"""
import csv
import io
import math

import pytest

from course_app.extensions import db
from course_app.services import NotFound, item_statistics, quizzes
from course_app.services.item_statistics import INFO, WARN

from .. import factories

R = 100 * 4 / math.sqrt(136)  # 34.30…


def option(question, text):
    return next(o for o in question.options if o.text == text)


@pytest.fixture
def graded():
    """A module of three questions (Q1 multiple-answer), six attempts of version 1 as in the
    module docstring's table, plus noise that must not count."""
    module = factories.make_module(lessons=1, questions=3, multiple=1, questions_per_attempt=3)
    q1, q2, q3 = factories.questions_of(module)
    q1.lesson_slug = "pelajaran-1"
    right1, wrong1a, wrong1b = ([option(q1, "Benar A"), option(q1, "Benar B")],
                                [option(q1, "Benar A")],
                                [option(q1, "Benar A"), option(q1, "Salah C")])
    right, wrong1, wrong2 = "Benar", "Salah satu", "Salah dua"
    table = [  # Q1, Q2, Q3
        (right1, right, right),
        (right1, right, wrong1),
        (right1, wrong1, right),
        (wrong1a, right, wrong1),
        (right1, wrong1, wrong1),
        (wrong1b, wrong2, wrong2),
    ]
    person = factories.make_user()
    for a1, a2, a3 in table:
        factories.make_answered_attempt(person, module, {
            q1: a1, q2: [option(q2, a2)], q3: [option(q3, a3)]})
    # Not counted: an open attempt, and attempts of another version.
    factories.make_answered_attempt(person, module, {q1: right1, q2: [], q3: []}, submitted=False)
    factories.make_answered_attempt(person, module, {q1: wrong1a, q2: [option(q2, right)],
                                                     q3: [option(q3, right)]}, version=2)
    return module, (q1, q2, q3)



def by_key(stats):
    return {item.question.key: item for item in stats.items}


def test_item_statistics_facility_is_the_share_of_right_answers_over_submitted_attempts_of_the_version(graded):
    module, (q1, q2, q3) = graded

    stats = item_statistics.version_statistics(module, version=1)

    items = by_key(stats)
    assert stats.attempts == 6
    assert [items[q.key].answers for q in (q1, q2, q3)] == [6, 6, 6]
    assert items[q1.key].facility == pytest.approx(100 * 4 / 6)
    assert items[q2.key].facility == pytest.approx(50)
    assert items[q3.key].facility == pytest.approx(100 * 2 / 6)


def test_item_statistics_discrimination_is_moodles_item_rest_correlation(graded):
    module, (q1, q2, q3) = graded

    items = by_key(item_statistics.version_statistics(module, version=1))

    assert items[q1.key].discrimination == pytest.approx(R)
    assert items[q2.key].discrimination == pytest.approx(0)
    assert items[q3.key].discrimination == pytest.approx(R)
    assert items[q1.key].discrimination_note is None


def test_item_statistics_option_shares_mark_the_correct_options(graded):
    module, (q1, q2, _q3) = graded

    items = by_key(item_statistics.version_statistics(module, version=1))

    # Multiple answer: the share that ticked each option (A ticked in all six answers).
    assert [(o.label, o.text, o.is_correct, o.chosen) for o in items[q1.key].options] == [
        ("A", "Benar A", True, 6), ("B", "Benar B", True, 4),
        ("C", "Salah C", False, 1), ("D", "Salah D", False, 0)]
    assert [round(o.share, 1) for o in items[q1.key].options] == [100.0, 66.7, 16.7, 0.0]
    assert [(o.label, o.chosen, o.is_correct) for o in items[q2.key].options] == [
        ("A", 3, True), ("B", 2, False), ("C", 1, False)]


def test_item_statistics_flags_a_low_discrimination_in_words(graded):
    module, (q1, q2, _q3) = graded

    items = by_key(item_statistics.version_statistics(module, version=1))

    assert items[q1.key].flags == [] and not items[q1.key].needs_look
    assert [flag.level for flag in items[q2.key].flags] == [WARN]
    assert "Daya beda rendah" in str(items[q2.key].flags[0].text)


def test_item_statistics_default_to_the_newest_version_with_attempts(graded):
    module, (q1, q2, q3) = graded

    stats = item_statistics.version_statistics(module)

    assert stats.version == 2 and stats.attempts == 1
    assert [(v.version, v.attempts) for v in stats.versions] == [(2, 1), (1, 6)]


def test_item_statistics_discrimination_is_undefined_with_too_few_answers(graded):
    module, (q1, _q2, _q3) = graded

    item = by_key(item_statistics.version_statistics(module, version=2))[q1.key]

    assert item.answers == 1 and item.facility == 0
    assert item.discrimination is None
    assert "Baru 1 jawaban" in str(item.discrimination_note)
    assert [flag.level for flag in item.flags] == [INFO]


def test_item_statistics_discrimination_is_undefined_when_everyone_is_right():
    module = factories.make_module(lessons=1, questions=2, multiple=0, questions_per_attempt=2)
    first, second = factories.questions_of(module)
    person = factories.make_user()
    for n in range(6):
        factories.make_answered_attempt(person, module, {
            first: [option(first, "Benar")],
            second: [option(second, "Benar" if n % 2 else "Salah satu")]})

    items = by_key(item_statistics.version_statistics(module))

    assert items[first.key].facility == 100 and items[first.key].discrimination is None
    assert "Semua jawaban benar" in str(items[first.key].discrimination_note)
    assert any("Terlalu mudah" in str(flag.text) for flag in items[first.key].flags)
    # The rest of the attempt (the first question) is the same everywhere: no correlation either.
    assert items[second.key].discrimination is None
    assert "sama pada semua percobaan" in str(items[second.key].discrimination_note)


def test_discrimination_index_from_sums_matches_the_hand_computation():
    assert item_statistics.discrimination_index(6, 4, 5, 4, 7, 4) == (pytest.approx(R), None)
    value, note = item_statistics.discrimination_index(6, 0, 5, 0, 7, 0)
    assert value is None and "Semua jawaban salah" in str(note)
    # A perfectly inverted item: right exactly when the rest of the attempt is low.
    value, note = item_statistics.discrimination_index(6, 3, 3, 3, 3, 0)
    assert value == pytest.approx(-100) and note is None


def test_item_statistics_flag_a_wrong_option_chosen_more_often_than_the_key():
    module = factories.make_module(lessons=1, questions=1, multiple=0, questions_per_attempt=1)
    (question,) = factories.questions_of(module)
    person = factories.make_user()
    for text in ["Salah satu"] * 3 + ["Salah dua"] * 3 + ["Benar"] * 2:
        factories.make_answered_attempt(person, module, {question: [option(question, text)]})

    (item,) = item_statistics.version_statistics(module).items

    texts = [str(flag.text) for flag in item.flags]
    assert any("Pilihan salah B, C dipilih lebih sering" in text for text in texts)


def test_item_statistics_of_a_module_without_attempts_are_empty_and_an_unknown_version_is_not_found():
    module = factories.make_module()

    stats = item_statistics.version_statistics(module)

    assert stats.version is None and stats.items == [] and stats.versions == []
    with pytest.raises(NotFound):
        item_statistics.version_statistics(module, version=1)


def test_item_statistics_count_attempts_graded_by_the_quiz_itself():
    """The real engine's grading (all-or-nothing, multiple-answer included) feeds the facility."""
    module = factories.make_module(lessons=1, questions=2, multiple=1, questions_per_attempt=2)
    people = [factories.make_user() for _ in range(3)]
    for index, person in enumerate(people):
        factories.read_all_lessons(person, module)
        attempt = quizzes.start_attempt(person, module)
        quizzes.submit_attempt(person, attempt, factories.answers_for(attempt, right=index))

    stats = item_statistics.version_statistics(module)

    assert stats.attempts == 3
    assert sum(item.answers for item in stats.items) == 6
    # right=0,1,2 of two questions: 3 right answers in all.
    assert sum(item.facility * item.answers / 100 for item in stats.items) == pytest.approx(3)


def test_module_summaries_list_modules_with_their_versions_that_have_attempts(graded):
    module, _questions = graded
    quiet = factories.make_module()

    summaries = {s.module.code: s for s in item_statistics.module_summaries()}

    assert [(v.version, v.attempts) for v in summaries[module.code].versions] == [(2, 1), (1, 6)]
    assert summaries[module.code].attempts == 7
    assert summaries[quiet.code].versions == []


def test_item_statistics_csv_has_one_row_per_option_with_numbers_and_no_personal_data(graded, app):
    module, (q1, _q2, _q3) = graded
    q1.text = "=HYPERLINK(\"x\")"
    stats = item_statistics.version_statistics(module, version=1)

    with app.test_request_context():
        body = item_statistics.statistics_csv(stats)

    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Kode materi", "Versi", "Kode soal", "Revisi"]
    assert len(rows) == 1 + 4 + 3 + 3
    first = rows[1]
    assert first[0] == module.code and first[1] == "1" and first[2] == q1.key
    assert first[4] == "pelajaran-1"
    assert first[6] == "'=HYPERLINK(\"x\")"  # neutralised
    assert first[7:10] == ["6", "66.7", "34.3"]
    assert first[12:] == ["A", "Benar A", "ya", "6", "100.0"]
    everyone = db.session.scalars(db.select(factories.User)).all()
    assert not any(p.email in body.decode() or p.full_name in body.decode() for p in everyone)
