"""Reading progress and completion (product §4: engagement)."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from course_app.extensions import db
from course_app.models import Lesson, LessonProgress
from course_app.services import DomainError, NotFound, learning, quizzes
from course_app.services.clock import utcnow

from .. import factories


def progress_of(user, lesson):
    return db.session.scalar(select(LessonProgress).where(
        LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id))


def pass_quiz(user, module, right=None):
    attempt = quizzes.start_attempt(user, module)
    return quizzes.submit_attempt(user, attempt, factories.answers_for(attempt, right=right))


def test_list_modules_shows_active_modules_in_position_order():
    third = factories.make_module(code="perilaku_keluarga", position=3)
    first = factories.make_module(code="gizi", position=1)
    hidden = factories.make_module(code="lama", position=2)
    hidden.is_active = False

    assert [m.code for m in learning.list_modules()] == [first.code, third.code]


def test_inactive_module_and_lesson_answer_404():
    module = factories.make_module(code="gizi")
    lesson = module.lessons[0]
    assert learning.find_module("gizi").id == module.id
    assert learning.find_lesson(module, lesson.slug).id == lesson.id

    lesson.is_active = False
    with pytest.raises(NotFound):
        learning.find_lesson(module, lesson.slug)
    module.is_active = False
    with pytest.raises(NotFound):
        learning.find_module("gizi")
    with pytest.raises(NotFound):
        learning.find_module("tidak_ada")


def test_opening_a_lesson_records_only_the_first_open():
    user = factories.make_user()
    lesson = factories.make_module().lessons[0]
    first_open = utcnow() - timedelta(minutes=5)

    learning.open_lesson(user, lesson, now=first_open)
    learning.open_lesson(user, lesson)

    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id)).all()
    assert len(rows) == 1
    assert rows[0].opened_at == first_open and rows[0].read_at is None


def test_lesson_must_be_opened_before_it_can_be_marked_read():
    user = factories.make_user()
    lesson = factories.make_module().lessons[0]

    with pytest.raises(DomainError):
        learning.mark_lesson_read(user, lesson)
    assert progress_of(user, lesson) is None


def test_lesson_cannot_be_marked_read_before_its_minimum_reading_time():
    user = factories.make_user()
    lesson = factories.make_module().lessons[0]
    lesson.min_read_seconds = 90
    opened = utcnow()
    learning.open_lesson(user, lesson, now=opened)

    with pytest.raises(DomainError) as refused:
        learning.mark_lesson_read(user, lesson, now=opened + timedelta(seconds=30))
    assert "60 detik" in str(refused.value.message)
    assert progress_of(user, lesson).read_at is None

    read_at = opened + timedelta(seconds=90)
    learning.mark_lesson_read(user, lesson, now=read_at)
    assert progress_of(user, lesson).read_at == read_at


def test_minimum_reading_time_falls_back_to_the_site_setting(app, monkeypatch):
    monkeypatch.setitem(app.config, "LESSON_MIN_READ_SECONDS", 45)
    user = factories.make_user()
    lesson = factories.make_module().lessons[0]
    assert lesson.min_read_seconds is None
    opened = utcnow()
    learning.open_lesson(user, lesson, now=opened)

    with pytest.raises(DomainError) as refused:
        learning.mark_lesson_read(user, lesson, now=opened + timedelta(seconds=44, milliseconds=500))
    assert "1 detik" in str(refused.value.message)
    learning.mark_lesson_read(user, lesson, now=opened + timedelta(seconds=45))
    assert progress_of(user, lesson).read_at is not None


def test_marking_a_read_lesson_again_keeps_the_first_time():
    user = factories.make_user()
    lesson = factories.make_module().lessons[0]
    learning.open_lesson(user, lesson)
    first = learning.mark_lesson_read(user, lesson).read_at

    learning.mark_lesson_read(user, lesson, now=utcnow() + timedelta(hours=1))

    assert progress_of(user, lesson).read_at == first


def test_quiz_opens_only_when_all_lessons_read():
    user = factories.make_user()
    module = factories.make_module(lessons=2)
    first, second = module.lessons

    assert not learning.quiz_unlocked(user, module)
    for lesson in (first, second):
        learning.open_lesson(user, lesson)
    learning.mark_lesson_read(user, first)
    assert not learning.quiz_unlocked(user, module)
    with pytest.raises(DomainError):
        quizzes.start_attempt(user, module)

    learning.mark_lesson_read(user, second)
    assert learning.quiz_unlocked(user, module)


def test_inactive_lessons_do_not_hold_the_quiz_back():
    user = factories.make_user()
    module = factories.make_module(lessons=2)
    first, second = module.lessons
    learning.open_lesson(user, first)
    learning.mark_lesson_read(user, first)

    db.session.get(Lesson, second.id).is_active = False

    assert learning.quiz_unlocked(user, module)


def test_lesson_place_gives_number_and_neighbours():
    module = factories.make_module(lessons=3)
    one, two, three = module.lessons

    place = learning.lesson_place(module, two)
    assert (place.number, place.total, place.before.id, place.after.id) == (2, 3, one.id, three.id)
    assert learning.lesson_place(module, one).before is None
    assert learning.lesson_place(module, three).after is None


def test_module_progress_moves_from_not_started_to_reading_to_quiz_to_done():
    user = factories.make_user()
    module = factories.make_module(lessons=2, questions=4, questions_per_attempt=4)
    first, second = module.lessons

    def status():
        (progress,) = learning.module_progress(user)
        return progress

    p = status()
    assert (p.status, p.lessons_total, p.lessons_read, p.quiz_unlocked, p.best_score, p.passed) \
        == ("belum_mulai", 2, 0, False, None, False)
    assert str(p.status_label) == "Belum mulai"

    learning.open_lesson(user, first)
    assert status().status == "membaca" and status().lessons_read == 0
    learning.mark_lesson_read(user, first)
    learning.open_lesson(user, second)
    learning.mark_lesson_read(user, second)
    p = status()
    assert (p.status, p.lessons_read, p.quiz_unlocked) == ("kuis", 2, True)

    pass_quiz(user, module, right=2)
    p = status()
    assert (p.status, p.best_score, p.passed) == ("kuis", 50, False)

    pass_quiz(user, module)
    p = status()
    assert (p.status, p.best_score, p.passed, p.percent) == ("selesai", 100, True, 100)
    assert str(p.status_label) == "Selesai"


def test_module_progress_is_per_user():
    reader, other = factories.make_user(), factories.make_user()
    module = factories.make_module()
    factories.read_all_lessons(reader, module)
    pass_quiz(reader, module)

    assert learning.module_progress(other)[0].status == "belum_mulai"
    assert learning.module_progress(reader)[0].status == "selesai"


def test_module_progress_uses_the_same_few_queries_for_any_number_of_modules():
    user = factories.make_user()

    def queries_for_progress():
        statements = []
        db.session.refresh(user)  # loaded before counting: only the progress queries count

        def count(*_args):
            statements.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            result = learning.module_progress(user)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(result), len(statements)

    module = factories.make_module()
    factories.read_all_lessons(user, module)
    pass_quiz(user, module)
    db.session.commit()
    one = queries_for_progress()
    for _ in range(3):
        extra = factories.make_module()
        factories.read_all_lessons(user, extra)
        pass_quiz(user, extra)
    db.session.commit()
    four = queries_for_progress()

    assert one[0] == 1 and four[0] == 4
    assert four[1] == one[1] <= 4


def test_completed_all_modules_needs_every_module_read_and_passed():
    user = factories.make_user()
    gizi, imunisasi = factories.make_module(), factories.make_module()
    for module in (gizi, imunisasi):
        factories.read_all_lessons(user, module)
    pass_quiz(user, gizi)
    assert not learning.completed_all_modules(user)

    pass_quiz(user, imunisasi, right=1)  # failed: 25 %
    assert not learning.completed_all_modules(user)

    pass_quiz(user, imunisasi)
    assert learning.completed_all_modules(user)


def test_a_lesson_added_after_passing_must_be_read_before_the_module_counts_again():
    user = factories.make_user()
    module = factories.make_module()
    factories.read_all_lessons(user, module)
    pass_quiz(user, module)
    assert learning.completed_all_modules(user)

    db.session.add(Lesson(module_id=module.id, slug="baru", title="Pelajaran baru", position=9,
                          body_markdown="Baru.", body_html="<p>Baru.</p>"))
    db.session.flush()

    assert learning.module_progress(user)[0].status == "membaca"
    assert not learning.completed_all_modules(user)


def test_completed_all_modules_is_false_when_there_are_no_modules():
    assert learning.completed_all_modules(factories.make_user()) is False


def test_in_development_the_site_setting_replaces_each_lessons_own_minimum(app, monkeypatch):
    monkeypatch.setitem(app.config, "LESSON_MIN_READ_SECONDS", 5)
    monkeypatch.setitem(app.config, "LESSON_MIN_READ_OVERRIDES", True)
    user = factories.make_user()
    lesson = factories.make_module().lessons[0]
    lesson.min_read_seconds = 90
    opened = utcnow()
    learning.open_lesson(user, lesson, now=opened)

    assert learning.required_read_seconds(lesson) == 5
    learning.mark_lesson_read(user, lesson, now=opened + timedelta(seconds=5))
    assert progress_of(user, lesson).read_at is not None
