"""The learning journey: modules, lessons, quizzes (product §4). Participants only.

Views stay thin: check the form, call one service, commit once, flash, redirect. A refused
operation (DomainError) is rolled back, so it changes nothing.
"""
import re
from datetime import timedelta

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..extensions import db
from ..services import DomainError, learning, quizzes
from ..services.content import images as lesson_pictures
from ..services.dashboard import next_step
from .forms import ActionForm, AnswerShapeError, AttemptForm

bp = Blueprint("learning", __name__, url_prefix="/materi")


@bp.before_request
def _private_pages():
    # Progress, answers and scores are personal: shared caches must not keep these pages.
    g.no_store = True


@bp.get("/")
@roles_required("participant")
def modules():
    return render_template("learning/modules.html",
                           progress=learning.module_progress(current_user))


@bp.get("/<code>")
@roles_required("participant")
def module(code):
    module = learning.find_module(code)
    return render_template("learning/module.html", module=module,
                           lessons=learning.active_lessons(module),
                           progress=learning.lesson_progress(current_user, module),
                           quiz=quizzes.quiz_overview(current_user, module))


@bp.get("/<code>/<slug>")
@roles_required("participant")
def lesson(code, slug):
    module = learning.find_module(code)
    lesson = learning.find_lesson(module, slug)
    progress = learning.open_lesson(current_user, lesson)
    db.session.commit()
    wait_seconds = learning.read_seconds_remaining(progress, lesson)
    return render_template("learning/lesson.html", module=module, lesson=lesson,
                           progress=progress, place=learning.lesson_place(module, lesson),
                           reading_minutes=learning.reading_minutes(lesson),
                           wait_seconds=wait_seconds,
                           wait=quizzes.describe_wait(timedelta(seconds=wait_seconds)),
                           form=ActionForm())


@bp.post("/<code>/<slug>/selesai")
@roles_required("participant")
def mark_read(code, slug):
    module = learning.find_module(code)
    lesson = learning.find_lesson(module, slug)
    here = url_for(".lesson", code=code, slug=slug)
    if not ActionForm().validate_on_submit():
        return redirect(here)
    try:
        learning.mark_lesson_read(current_user, lesson)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(here)
    flash(_("Pelajaran “%(title)s” sudah ditandai selesai dibaca.", title=lesson.title), "success")
    after = learning.lesson_place(module, lesson).after
    if after is not None:
        return redirect(url_for(".lesson", code=code, slug=after.slug))
    return redirect(url_for(".module", code=code))


@bp.get("/gambar/<code>/<digest>/<name>")
@roles_required("participant")
def lesson_image(code, digest, name):
    """A lesson picture from the content directory (services/content/images.py). Its URL
    carries its digest, so browsers and caches keep it a year; it is the same for everyone, so
    security.py leaves this Cache-Control alone. Its own CSP: opened alone, an SVG runs nothing."""
    picture = lesson_pictures.served_picture(current_app.config["CONTENT_DIR"], code, digest, name)
    g.no_store = False
    response = current_app.response_class(picture.data, mimetype=picture.media_type)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_template_filter("pictures_in_reader_language")
def _pictures_in_reader_language(body_html):
    """Lesson HTML with each picture's alt text in the reader's language (set at view time:
    the HTML itself is rendered once, when the content is loaded)."""
    return lesson_pictures.in_reader_language(body_html, getattr(get_locale(), "language", "id"))


#: Multiple-answer questions in content/ end with this (content/README.md). The quiz page says
#: it once per question, in the reader's language, as the hint its checkboxes point to.
_ANSWER_HINT = re.compile(r"\s*\(\s*Pilih semua jawaban yang benar\.?\s*\)\s*$", re.IGNORECASE)


@bp.app_template_filter("question_text")
def _question_text(text):
    """A question's text without the content's own "(Pilih semua jawaban yang benar.)"."""
    return _ANSWER_HINT.sub("", text or "")


@bp.get("/<code>/kuis")
@roles_required("participant")
def quiz(code):
    module = learning.find_module(code)
    overview = quizzes.quiz_overview(current_user, module)
    cooldown = overview.cooldown
    return render_template("learning/quiz.html", module=module, quiz=overview,
                           wait=quizzes.describe_wait(cooldown) if cooldown else None,
                           wait_seconds=quizzes.wait_seconds(cooldown) if cooldown else None,
                           form=ActionForm())


@bp.post("/<code>/kuis/mulai")
@roles_required("participant")
def start_attempt(code):
    module = learning.find_module(code)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".quiz", code=code))
    try:
        attempt = quizzes.start_attempt(current_user, module)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".quiz", code=code))
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.get("/kuis/<int:attempt_id>")
@roles_required("participant")
def attempt(attempt_id):
    attempt = quizzes.find_attempt(attempt_id, current_user)
    if attempt.submitted_at is not None:
        return redirect(url_for(".result", attempt_id=attempt.id))
    return render_template("learning/attempt.html", attempt=attempt, form=AttemptForm(),
                           selected={}, unanswered=set())


@bp.post("/kuis/<int:attempt_id>")
@roles_required("participant")
def submit_attempt(attempt_id):
    attempt = quizzes.find_attempt(attempt_id, current_user)
    form = AttemptForm()
    if not form.validate_on_submit():
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    try:
        answers = form.answers(request.form)
    except AnswerShapeError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    try:
        attempt = quizzes.submit_attempt(current_user, attempt, answers)
        db.session.commit()
    except quizzes.AttemptAlreadySubmitted:
        db.session.rollback()
        flash(_("Jawaban untuk percobaan ini sudah pernah dikirim."), "warning")
        return redirect(url_for(".result", attempt_id=attempt_id))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        # Shown again with the answers as sent, so nothing the participant chose is lost.
        return render_template("learning/attempt.html",
                               attempt=quizzes.find_attempt(attempt_id, current_user),
                               form=form, selected=answers,
                               unanswered=getattr(error, "question_ids", set()))
    if attempt.passed:
        flash(_("Selamat, Anda lulus kuis ini dengan nilai %(score)d.", score=attempt.score_percent),
              "success")
    else:
        flash(_("Nilai Anda %(score)d. Belum lulus kali ini — baca lagi pembahasannya di bawah.",
                score=attempt.score_percent), "warning")
    return redirect(url_for(".result", attempt_id=attempt.id))


@bp.get("/kuis/<int:attempt_id>/hasil")
@roles_required("participant")
def result(attempt_id):
    attempt = quizzes.find_attempt(attempt_id, current_user)
    if attempt.submitted_at is None:
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    cooldown = quizzes.cooldown_remaining(current_user, attempt.module)
    return render_template("learning/result.html", attempt=attempt,
                           review=quizzes.review(attempt),
                           best=quizzes.best_attempt(current_user, attempt.module),
                           step=next_step(current_user) if attempt.passed else None,
                           wait=quizzes.describe_wait(cooldown) if cooldown else None,
                           wait_seconds=quizzes.wait_seconds(cooldown) if cooldown else None)
