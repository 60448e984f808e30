"""Phase 2: bring the database in line with checked content specs (the caller commits)."""
from sqlalchemy import select

from ...extensions import db
from ...models import ContentLoad, Lesson, Module, Option, Question
from ..clock import utcnow
from .reader import read_content
from .specs import LoadReport, ModuleChange
from .specs import sha256_of as _sha256


def load_content(directory):
    """Check every content file, then bring the database in line with them (caller commits).

    Raises `ContentError` (and changes nothing) if any file is broken.
    """
    specs = read_content(directory)
    return _apply(specs)


def _apply(specs):
    now = utcnow()
    report = LoadReport(content_hash=_sha256([[s.code, s.content_hash] for s in specs]))
    existing = {m.code: m for m in db.session.scalars(select(Module))}
    for spec in specs:
        module = existing.pop(spec.code, None)
        if module is not None and module.is_active and module.content_hash == spec.content_hash:
            # Same lessons and questions: only metadata may have changed (the certificate's
            # requirement, the questions' lesson tags), and the version stays.
            change = ModuleChange(spec.code, "flagged", module.version)
            change.questions_retagged = _apply_lesson_tags(module, spec.questions)
            if module.required != spec.required:
                module.required = change.required = spec.required
            if change.required is None and not change.questions_retagged:
                change.action = "unchanged"
            else:
                module.updated_at = now
            report.modules.append(change)
            continue
        if module is None:
            module = Module(code=spec.code, version=1, content_hash=spec.content_hash)
            db.session.add(module)
            change = ModuleChange(spec.code, "created", 1)
        else:
            module.version += 1
            change = ModuleChange(spec.code, "updated", module.version)
        module.title = spec.title
        module.summary = spec.summary
        module.position = spec.position
        if change.action == "updated" and module.required != spec.required:
            change.required = spec.required
        module.required = spec.required
        module.questions_per_attempt = spec.questions_per_attempt
        module.pass_mark = spec.pass_mark
        module.content_hash = spec.content_hash
        module.is_active = True
        module.updated_at = now
        db.session.flush()
        _apply_lessons(module, spec.lessons, change)
        _apply_questions(module, spec.questions, change)
        report.modules.append(change)
    for module in sorted(existing.values(), key=lambda m: m.code):
        if module.is_active:
            module.is_active = False
            module.updated_at = now
            report.modules.append(ModuleChange(module.code, "deactivated", module.version))
    if report.changed:
        report.content_load = ContentLoad(content_hash=report.content_hash, loaded_at=now,
                                          summary=report.describe())
        db.session.add(report.content_load)
    db.session.flush()
    return report


def _apply_lessons(module, specs, change):
    """Lessons are updated in place by slug: reading progress keeps pointing at them."""
    rows = {le.slug: le for le in db.session.scalars(
        select(Lesson).where(Lesson.module_id == module.id))}
    for spec in specs:
        lesson = rows.pop(spec.slug, None)
        values = {"title": spec.title, "position": spec.position,
                  "body_markdown": spec.body_markdown, "body_html": spec.body_html,
                  "min_read_seconds": spec.min_read_seconds, "is_active": True}
        if lesson is None:
            db.session.add(Lesson(module_id=module.id, slug=spec.slug, **values))
            change.lessons_added += 1
            continue
        if any(getattr(lesson, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(lesson, name, value)
            change.lessons_updated += 1
    for lesson in rows.values():
        if lesson.is_active:
            lesson.is_active = False
            change.lessons_deactivated += 1


def _apply_questions(module, specs, change):
    """Questions are immutable revisions: a changed question is a new row, the old one retires.
    Its lesson tag is metadata, updated in place (see `_apply_lesson_tags`)."""
    rows = db.session.scalars(select(Question).where(Question.module_id == module.id)
                              .order_by(Question.key, Question.revision)).all()
    latest, active = {}, {}
    for question in rows:
        latest[question.key] = question  # ordered by revision: the last one wins
        if question.is_active:
            active.setdefault(question.key, []).append(question)
    for spec in specs:
        digest = spec.content_hash
        current = latest.get(spec.key)
        if current is not None and current.content_hash == digest:
            for stale in active.get(spec.key, []):
                if stale is not current:
                    stale.is_active = False
            if not current.is_active:
                current.is_active = True
                change.questions_added += 1
            if current.lesson_slug != spec.lesson:
                current.lesson_slug = spec.lesson
                change.questions_retagged += 1
            continue
        for stale in active.get(spec.key, []):
            stale.is_active = False
        question = Question(
            module_id=module.id, key=spec.key, revision=(current.revision + 1) if current else 1,
            content_hash=digest, kind=spec.kind, lesson_slug=spec.lesson, text=spec.text,
            explanation=spec.explanation, is_active=True,
            options=[Option(position=i, text=o.text, is_correct=o.correct)
                     for i, o in enumerate(spec.options)])
        db.session.add(question)
        if current is None:
            change.questions_added += 1
        else:
            change.questions_revised += 1
    wanted = {s.key for s in specs}
    for key, questions in active.items():
        if key not in wanted:
            for question in questions:
                question.is_active = False
            change.questions_deactivated += 1


def _apply_lesson_tags(module, specs):
    """The lesson a question tests is metadata (issue 11 point 4): a changed tag updates the
    question's current row in place; it is no new revision. Returns how many rows changed."""
    lessons = {spec.key: spec.lesson for spec in specs}
    retagged = 0
    for question in db.session.scalars(select(Question).where(Question.module_id == module.id,
                                                              Question.is_active)):
        if question.key in lessons and question.lesson_slug != lessons[question.key]:
            question.lesson_slug = lessons[question.key]
            retagged += 1
    return retagged
