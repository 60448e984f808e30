"""The quiz engine (product §4): random draw, shuffled options, strict grading, best attempt
counts, cool-down after a failure, a submission counts once."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from course_app.extensions import db
from course_app.models import AttemptQuestion, Question, QuizAttempt
from course_app.services import DomainError, NotFound, quizzes
from course_app.services.clock import utcnow
from course_app.services.quizzes import AttemptAlreadySubmitted, UnansweredQuestions

from .. import factories


@pytest.fixture
def ready():
    """A participant who has read every lesson of a module with 6 questions, 4 per attempt."""
    user = factories.make_user()
    module = factories.make_module(lessons=2, questions=6, multiple=2, questions_per_attempt=4,
                                   pass_mark=75)
    factories.read_all_lessons(user, module)
    return user, module


def stored(attempt):
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt.id)


def test_quiz_start_is_refused_while_lessons_are_unread():
    user = factories.make_user()
    module = factories.make_module()

    with pytest.raises(DomainError) as refused:
        quizzes.start_attempt(user, module)

    assert "semua pelajaran" in str(refused.value.message)
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_attempt_draws_the_set_number_of_active_questions_with_shuffled_options(ready):
    user, module = ready
    retired = db.session.scalar(select(Question).where(Question.module_id == module.id,
                                                       Question.key.endswith("-06")))
    retired.is_active = False

    attempt = quizzes.start_attempt(user, module, rng=random.Random(7))

    attempt = stored(attempt)
    assert len(attempt.questions) == 4
    assert [aq.position for aq in attempt.questions] == [1, 2, 3, 4]
    assert len({aq.question_id for aq in attempt.questions}) == 4
    assert retired.id not in {aq.question_id for aq in attempt.questions}
    for aq in attempt.questions:
        assert sorted(aq.option_order) == sorted(o.id for o in aq.question.options)
        assert [o.id for o in aq.ordered_options] == aq.option_order
    assert (attempt.module_version, attempt.pass_mark, attempt.submitted_at) == (1, 75, None)


def test_draws_and_option_orders_vary_between_attempts(ready):
    user, module = ready
    seen_sets, seen_orders = set(), set()
    for seed in range(12):
        attempt = quizzes.start_attempt(user, module, rng=random.Random(seed))
        seen_sets.add(frozenset(aq.question_id for aq in attempt.questions))
        seen_orders.add(tuple(attempt.questions[0].option_order))
        quizzes.submit_attempt(user, attempt, factories.answers_for(attempt))
    assert len(seen_sets) > 1 and len(seen_orders) > 1


def test_an_open_attempt_is_returned_instead_of_a_new_one(ready):
    user, module = ready
    first = quizzes.start_attempt(user, module)

    again = quizzes.start_attempt(user, module)

    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_all_correct_answers_score_100_and_pass(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    submitted_at = utcnow()

    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt), now=submitted_at)

    attempt = stored(attempt)
    assert (attempt.score_percent, attempt.correct_count, attempt.passed) == (100, 4, True)
    assert attempt.submitted_at == submitted_at
    assert all(aq.is_correct for aq in attempt.questions)
    for aq in attempt.questions:
        assert aq.selected_option_ids == sorted(o.id for o in aq.question.options if o.is_correct)


def test_score_below_the_pass_mark_fails(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)

    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=2))

    attempt = stored(attempt)
    assert (attempt.score_percent, attempt.correct_count, attempt.passed) == (50, 2, False)
    assert [aq.is_correct for aq in attempt.questions] == [True, True, False, False]


def test_multiple_answer_question_is_right_only_with_exactly_the_correct_set():
    user = factories.make_user()
    module = factories.make_module(questions=1, multiple=1, questions_per_attempt=1)
    factories.read_all_lessons(user, module)
    (question,) = db.session.scalars(select(Question).where(Question.module_id == module.id))
    right = [o.id for o in question.options if o.is_correct]
    wrong = [o.id for o in question.options if not o.is_correct]

    for selected, expected in ((right[:1], False), (right + wrong[:1], False), (right, True)):
        attempt = quizzes.start_attempt(user, module)
        aq = attempt.questions[0]
        quizzes.submit_attempt(user, attempt, {aq.id: selected})
        assert stored(attempt).questions[0].is_correct is expected, selected


@pytest.mark.parametrize("right,total,score", [(2, 3, 67), (1, 3, 33), (1, 8, 13), (5, 8, 63)])
def test_score_is_a_whole_percentage_rounded_half_up(right, total, score):
    user = factories.make_user()
    module = factories.make_module(questions=total, multiple=0, questions_per_attempt=total)
    factories.read_all_lessons(user, module)
    attempt = quizzes.start_attempt(user, module)

    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=right))

    assert stored(attempt).score_percent == score


def test_second_submission_of_same_attempt_is_refused(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=4))
    db.session.commit()

    with pytest.raises(AttemptAlreadySubmitted):
        quizzes.submit_attempt(user, stored(attempt), factories.answers_for(attempt, right=0))

    attempt = stored(attempt)
    assert (attempt.score_percent, attempt.passed) == (100, True)
    assert all(aq.is_correct for aq in attempt.questions)


def test_simultaneous_submission_counts_once(ready):
    """Two requests load the same open attempt; the one that closes it second must lose."""
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    db.session.commit()
    attempt = stored(attempt)
    assert attempt.submitted_at is None  # this request still sees it open
    with db.engine.begin() as other_request:
        other_request.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id)
                              .values(submitted_at=utcnow(), score_percent=25, correct_count=1,
                                      passed=False))

    with pytest.raises(AttemptAlreadySubmitted):
        quizzes.submit_attempt(user, attempt, factories.answers_for(attempt))
    db.session.rollback()

    attempt = stored(attempt)
    assert (attempt.score_percent, attempt.passed) == (25, False)
    assert all(aq.selected_option_ids is None for aq in attempt.questions)


def test_answers_to_questions_not_drawn_are_refused(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    db.session.commit()
    answers = factories.answers_for(attempt)
    answers[max(answers) + 1000] = answers[min(answers)]

    with pytest.raises(DomainError) as refused:
        quizzes.submit_attempt(user, attempt, answers)

    assert "tidak cocok" in str(refused.value.message)
    db.session.rollback()
    assert stored(attempt).submitted_at is None


def test_options_of_another_question_are_refused(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    db.session.commit()
    answers = factories.answers_for(attempt)
    first, second = attempt.questions[0], attempt.questions[1]
    answers[first.id] = [second.option_order[0]]

    with pytest.raises(DomainError) as refused:
        quizzes.submit_attempt(user, attempt, answers)

    assert "bukan milik pertanyaannya" in str(refused.value.message)
    db.session.rollback()
    attempt = stored(attempt)
    assert attempt.submitted_at is None and attempt.score_percent is None
    assert all(aq.selected_option_ids is None for aq in attempt.questions)


def test_two_options_for_a_single_answer_question_are_refused():
    user = factories.make_user()
    module = factories.make_module(questions=2, multiple=0, questions_per_attempt=2)
    factories.read_all_lessons(user, module)
    attempt = quizzes.start_attempt(user, module)
    db.session.commit()
    answers = factories.answers_for(attempt)
    aq = attempt.questions[1]
    answers[aq.id] = aq.option_order[:2]

    with pytest.raises(DomainError) as refused:
        quizzes.submit_attempt(user, attempt, answers)

    assert "nomor 2 hanya boleh dijawab dengan satu pilihan" in str(refused.value.message)
    db.session.rollback()
    assert stored(attempt).submitted_at is None


def test_unanswered_questions_are_refused_and_named(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    db.session.commit()
    answers = factories.answers_for(attempt)
    skipped = [attempt.questions[1].id, attempt.questions[3].id]
    del answers[skipped[0]]
    answers[skipped[1]] = []

    with pytest.raises(UnansweredQuestions) as refused:
        quizzes.submit_attempt(user, attempt, answers)

    assert refused.value.question_ids == set(skipped)
    assert "2 pertanyaan yang belum dijawab" in str(refused.value.message)
    db.session.rollback()
    assert stored(attempt).submitted_at is None


def test_best_attempt_counts(ready):
    user, module = ready
    now = utcnow()
    scores = []
    for minutes, right in ((0, 1), (10, 4), (20, 2)):
        attempt = quizzes.start_attempt(user, module, now=now + timedelta(minutes=minutes))
        quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=right),
                               now=now + timedelta(minutes=minutes, seconds=30))
        scores.append(attempt.id)

    best = quizzes.best_attempt(user, module)
    history = quizzes.attempt_history(user, module)

    assert (best.id, best.score_percent, best.passed) == (scores[1], 100, True)
    assert [a.id for a in history] == list(reversed(scores))
    overview = quizzes.quiz_overview(user, module, now=now + timedelta(hours=1))
    assert overview.best.id == best.id and overview.passed


def test_cooldown_after_failed_attempt(app, monkeypatch, ready):
    monkeypatch.setitem(app.config, "QUIZ_COOLDOWN_SECONDS", 600)
    user, module = ready
    failed_at = utcnow()
    attempt = quizzes.start_attempt(user, module, now=failed_at - timedelta(minutes=3))
    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=1), now=failed_at)

    assert quizzes.cooldown_remaining(user, module, now=failed_at + timedelta(minutes=4)) \
        == timedelta(minutes=6)
    with pytest.raises(DomainError) as refused:
        quizzes.start_attempt(user, module, now=failed_at + timedelta(minutes=4, seconds=30))
    assert "5 menit 30 detik" in str(refused.value.message)
    assert quizzes.open_attempt(user, module) is None

    later = failed_at + timedelta(minutes=10)
    assert quizzes.cooldown_remaining(user, module, now=later) is None
    assert quizzes.start_attempt(user, module, now=later).submitted_at is None


def test_no_cooldown_after_a_passed_attempt(app, monkeypatch, ready):
    monkeypatch.setitem(app.config, "QUIZ_COOLDOWN_SECONDS", 600)
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt))

    assert quizzes.cooldown_remaining(user, module) is None
    assert quizzes.start_attempt(user, module).id != attempt.id


def test_describe_wait_rounds_up_and_names_minutes_and_seconds():
    assert str(quizzes.describe_wait(timedelta(seconds=40))) == "40 detik"
    assert str(quizzes.describe_wait(timedelta(seconds=0.2))) == "1 detik"
    assert str(quizzes.describe_wait(timedelta(minutes=14, seconds=59.5))) == "15 menit 0 detik"


def test_another_users_attempt_is_not_found(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    assert quizzes.find_attempt(attempt.id, user).id == attempt.id

    with pytest.raises(NotFound):
        quizzes.find_attempt(attempt.id, factories.make_user())
    with pytest.raises(NotFound):
        quizzes.find_attempt(attempt.id + 999, user)


def test_attempt_keeps_its_pass_mark_when_the_module_changes(ready):
    user, module = ready
    attempt = quizzes.start_attempt(user, module)
    module.pass_mark = 100
    module.version = 2

    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=3))

    attempt = stored(attempt)
    assert (attempt.score_percent, attempt.pass_mark, attempt.module_version, attempt.passed) \
        == (75, 75, 1, True)
    assert db.session.scalar(select(func.count()).select_from(AttemptQuestion)) == 4


# --- stratified draw (issue 11 point 4, product §4) ----------------------------------------

def bank_of(module):
    return db.session.scalars(select(Question).where(Question.module_id == module.id,
                                                     Question.is_active).order_by(Question.id)).all()


def per_lesson(questions):
    counts = {}
    for question in questions:
        counts[question.lesson_slug] = counts.get(question.lesson_slug, 0) + 1
    return counts


def test_an_attempt_draws_from_every_lesson():
    user = factories.make_user()
    module = factories.make_module(lessons=5, questions=20, questions_per_attempt=10)
    factories.read_all_lessons(user, module)

    attempt = quizzes.start_attempt(user, module, rng=random.Random(3))

    drawn = [aq.question for aq in stored(attempt).questions]
    assert per_lesson(drawn) == {f"pelajaran-{n}": 2 for n in range(1, 6)}


@pytest.mark.parametrize("seed", range(8))
def test_counts_per_lesson_differ_by_at_most_one(seed):
    module = factories.make_module(lessons=3, questions=12, questions_per_attempt=7)

    drawn = quizzes.draw_questions(bank_of(module), 7, random.Random(seed))

    counts = per_lesson(drawn)
    assert len(drawn) == len({q.id for q in drawn}) == 7
    assert set(counts) == {"pelajaran-1", "pelajaran-2", "pelajaran-3"}
    assert sorted(counts.values()) == [2, 2, 3]


def test_the_lesson_that_gets_one_more_question_varies():
    module = factories.make_module(lessons=3, questions=12)
    bank = bank_of(module)

    larger = {max(counts, key=counts.get) for counts in
              (per_lesson(quizzes.draw_questions(bank, 4, random.Random(seed))) for seed in range(20))}

    assert larger == {"pelajaran-1", "pelajaran-2", "pelajaran-3"}


def test_fewer_questions_than_lessons_come_from_different_lessons():
    module = factories.make_module(lessons=5, questions=20)

    for seed in range(10):
        drawn = quizzes.draw_questions(bank_of(module), 3, random.Random(seed))
        assert len(per_lesson(drawn)) == 3


def test_what_a_small_lesson_cannot_give_is_drawn_at_random_from_the_rest():
    module = factories.make_module(lessons=3, questions=9)
    bank = bank_of(module)
    for question in [q for q in bank if q.lesson_slug == "pelajaran-3"][1:]:
        question.lesson_slug = "pelajaran-1"  # lesson 3 keeps one question, lesson 1 has five

    for seed in range(10):
        drawn = quizzes.draw_questions(bank, 6, random.Random(seed))
        counts = per_lesson(drawn)
        assert len(drawn) == len({q.id for q in drawn}) == 6
        assert counts["pelajaran-3"] == 1 and counts["pelajaran-2"] >= 2 and counts["pelajaran-1"] >= 2


def test_untagged_questions_are_drawn_as_one_more_lesson():
    module = factories.make_module(lessons=2, questions=8)
    bank = bank_of(module)
    for question in bank[:2]:
        question.lesson_slug = None  # rows loaded before questions named their lesson

    for seed in range(10):
        counts = per_lesson(quizzes.draw_questions(bank, 3, random.Random(seed)))
        assert counts == {None: 1, "pelajaran-1": 1, "pelajaran-2": 1}


def test_the_draw_comes_in_random_order_not_grouped_by_lesson():
    module = factories.make_module(lessons=2, questions=8)
    bank = bank_of(module)

    firsts = {quizzes.draw_questions(bank, 4, random.Random(seed))[0].lesson_slug
              for seed in range(20)}

    assert firsts == {"pelajaran-1", "pelajaran-2"}


# --- what to reread after a failed attempt (issue 11 point 5) -----------------------------

def attempt_wrong_on(module, wrong_lessons):
    """A submitted attempt over the whole bank, wrong on the questions of `wrong_lessons`."""
    user = factories.make_user()
    factories.read_all_lessons(user, module)
    attempt = quizzes.start_attempt(user, module)
    answers = factories.answers_for(attempt)
    for aq in attempt.questions:
        if aq.question.lesson_slug in wrong_lessons:
            answers[aq.id] = [o.id for o in aq.question.options if not o.is_correct][:1]
    return quizzes.submit_attempt(user, attempt, answers)


def test_a_failed_attempt_sends_back_to_the_lessons_of_its_wrong_questions():
    module = factories.make_module(lessons=4, questions=8, multiple=0, questions_per_attempt=8)

    review = quizzes.review(attempt_wrong_on(module, {"pelajaran-3", "pelajaran-1"}))

    assert not review.attempt.passed and not review.show_answers
    assert [lesson.slug for lesson in review.reread] == ["pelajaran-1", "pelajaran-3"]
    assert {review.lesson_for(aq).slug for aq in review.wrong} == {"pelajaran-1", "pelajaran-3"}


def test_an_untagged_wrong_question_sends_back_to_every_lesson():
    module = factories.make_module(lessons=4, questions=8, multiple=0, questions_per_attempt=8,
                                   pass_mark=100)
    untagged = bank_of(module)[0]
    untagged.lesson_slug = None

    review = quizzes.review(attempt_wrong_on(module, {None}))

    assert not review.attempt.passed
    assert [aq.question.id for aq in review.wrong] == [untagged.id]
    assert review.lesson_for(review.wrong[0]) is None
    assert [lesson.slug for lesson in review.reread] == [f"pelajaran-{n}" for n in range(1, 5)]


def test_a_passed_attempt_shows_the_answers_and_nothing_to_reread():
    module = factories.make_module(lessons=8, questions=8, multiple=0, questions_per_attempt=8,
                                   pass_mark=80)

    review = quizzes.review(attempt_wrong_on(module, {"pelajaran-2"}))  # 7 of 8 right: 88%

    assert review.attempt.passed and review.show_answers
    assert review.reread == [] and len(review.wrong) == 1
