"""Builders for test data (STYLE.md habit 9). Synthetic only: no real names or numbers."""
import itertools
from datetime import date, timedelta

from course_app.extensions import db
from course_app.models import (
    Couple,
    CoupleMember,
    Lesson,
    Module,
    Option,
    Question,
    User,
    UserRole,
)
from course_app.models.base import utcnow
from course_app.services.passwords import hash_password

PASSWORD = "Rahasia-Kuat-2026"
_seq = itertools.count(1)


def make_user(roles=("participant",), email=None, full_name=None, password=PASSWORD,
              birth_date=date(1998, 5, 17), sex="P", locale=None):
    n = next(_seq)
    user = User(email=email or f"orang{n}@contoh.test", full_name=full_name or f"Peserta Contoh {n}",
                birth_date=birth_date, sex=sex, password_hash=hash_password(password), locale=locale)
    user.roles = [UserRole(role=r) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def make_couple(first=None, second=None, wedding_in_days=120, institution_type="gereja"):
    first = first or make_user()
    couple = Couple(planned_wedding_date=date.today() + timedelta(days=wedding_in_days),
                    institution_type=institution_type, institution_name="Jemaat Contoh",
                    created_by_id=first.id)
    db.session.add(couple)
    db.session.flush()
    for person in (first, second):
        if person is not None:
            db.session.add(CoupleMember(couple_id=couple.id, user_id=person.id,
                                        active_user_id=person.id))
    db.session.flush()
    db.session.refresh(couple)
    return couple


def make_module(code=None, lessons=2, questions=6, multiple=1, questions_per_attempt=4,
                pass_mark=80, position=None):
    """A small module: `questions` questions, the first `multiple` of them multiple-answer.

    In every question the correct options are the ones whose text starts with "Benar".
    """
    n = next(_seq)
    code = code or f"modul_{n}"
    module = Module(code=code, title=f"Modul {n}", summary="Ringkasan", position=position or n,
                    questions_per_attempt=questions_per_attempt, pass_mark=pass_mark,
                    version=1, content_hash="0" * 64)
    db.session.add(module)
    db.session.flush()
    for i in range(lessons):
        db.session.add(Lesson(module_id=module.id, slug=f"pelajaran-{i + 1}",
                              title=f"Pelajaran {i + 1}", position=i + 1,
                              body_markdown="Isi **pelajaran**.",
                              body_html="<p>Isi <strong>pelajaran</strong>.</p>"))
    for i in range(questions):
        kind = "multiple" if i < multiple else "single"
        question = Question(module_id=module.id, key=f"{code}-{i + 1:02d}", kind=kind,
                            text=f"Pertanyaan {i + 1}?", explanation=f"Penjelasan {i + 1}.",
                            content_hash=f"{i:064d}")
        if kind == "multiple":
            texts = [("Benar A", True), ("Benar B", True), ("Salah C", False), ("Salah D", False)]
        else:
            texts = [("Benar", True), ("Salah satu", False), ("Salah dua", False)]
        question.options = [Option(text=t, is_correct=c, position=j) for j, (t, c) in enumerate(texts)]
        db.session.add(question)
    db.session.flush()
    db.session.expire(module)
    return module


def days_ago(days):
    return utcnow() - timedelta(days=days)


def read_all_lessons(user, module):
    """Mark every active lesson of `module` as opened long ago and read."""
    from course_app.models import LessonProgress

    for lesson in module.lessons:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                      opened_at=days_ago(1), read_at=days_ago(1)))
    db.session.flush()


def answers_for(attempt, right=None):
    """Answers for every question of `attempt`: the first `right` ones correct (all by default),
    the others wrong (a wrong option for single-answer questions, only part of the correct set
    for multiple-answer ones). Returns {attempt question id: [option ids]}."""
    right = len(attempt.questions) if right is None else right
    answers = {}
    for index, aq in enumerate(attempt.questions):
        correct = [o.id for o in aq.question.options if o.is_correct]
        wrong = [o.id for o in aq.question.options if not o.is_correct]
        if index < right:
            answers[aq.id] = correct
        elif aq.question.kind == "multiple" and len(correct) > 1:
            answers[aq.id] = correct[:1]
        else:
            answers[aq.id] = wrong[:1]
    return answers


def registration_data(**overrides):
    """What a person types into the registration form. The domain must pass email validation,
    so it is IANA's example.com (reserved, never delivered), not .test."""
    n = next(_seq)
    data = {"full_name": f"Calon Pengantin {n}", "email": f"calon{n}@example.com", "phone": "",
            "birth_date": "1998-05-17", "sex": "P", "password": PASSWORD,
            "password_confirm": PASSWORD, "consent": "y"}
    data.update(overrides)
    if "password" in overrides and "password_confirm" not in overrides:
        data["password_confirm"] = overrides["password"]
    return data


def log_in(client, user, password=PASSWORD):
    """Log `client` in through the form; for tests that need two people logged in at once."""
    response = client.post("/masuk", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
