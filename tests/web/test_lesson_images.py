"""Lesson pictures as the participant's browser gets them (issue 11 point 7): the lesson page's
<img>, and the picture route's headers, caching and 404s."""
import hashlib
import re

import pytest
from flask import url_for

from course_app.extensions import db
from course_app.services.content import images, load_content

from .. import factories
from ..unit.test_content import write_module
from ..unit.test_lesson_images import SVG, add_picture, write_lesson


@pytest.fixture
def content(app, tmp_path, monkeypatch):
    """A content directory with one picture in gizi's first lesson, loaded, and configured as
    the app's CONTENT_DIR (where the route reads pictures from)."""
    root = tmp_path / "content"
    gizi = write_module(root, "gizi")
    add_picture(gizi)
    write_lesson(gizi, "![](images/piring.svg)")
    monkeypatch.setitem(app.config, "CONTENT_DIR", str(root))
    load_content(root)
    db.session.commit()
    return root


@pytest.fixture
def picture():
    return images.check_picture("piring.svg", SVG.encode("utf-8"))


def img_tag(html):
    (tag,) = re.findall(r"<img [^>]*>", html)
    return tag


def test_the_lesson_page_shows_the_picture_with_its_size_and_indonesian_alt(
        client, content, participant, picture):
    html = client.get("/materi/gizi/pelajaran-1").get_data(as_text=True)

    tag = img_tag(html)
    assert f'src="/materi/gambar/gizi/{picture.digest}/piring.svg"' in tag
    assert 'alt="Piring makan seimbang."' in tag
    assert 'width="200"' in tag and 'height="100"' in tag and 'loading="lazy"' in tag
    assert "data-alt-en" not in html


def test_in_english_the_alt_text_is_english(client, content, login, picture):
    reader = factories.make_user(locale="en")
    db.session.commit()
    login(reader)

    tag = img_tag(client.get("/materi/gizi/pelajaran-1").get_data(as_text=True))

    assert 'alt="A balanced plate."' in tag and "seimbang" not in tag


def test_the_picture_is_served_with_its_type_a_closed_csp_and_a_year_of_cache(
        client, content, participant, picture):
    response = client.get(f"/materi/gambar/gizi/{picture.digest}/piring.svg")

    assert response.status_code == 200
    assert response.get_data() == SVG.encode("utf-8")
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Set-Cookie" not in response.headers  # nothing personal in a response kept a year


@pytest.mark.parametrize("path", [
    "/materi/gambar/gizi/0000000000000000/piring.svg",      # wrong digest
    "/materi/gambar/gizi/{digest}/lain.svg",                # unknown name
    "/materi/gambar/imunisasi/{digest}/piring.svg",         # unknown module
    "/materi/gambar/gizi/{digest}/images.yaml",             # not a picture
    "/materi/gambar/gizi/{digest}/..%2Fmodule.yaml",        # not a name
    "/materi/gambar/gizi/{digest}/piring.SVG",
])
def test_a_wrong_digest_module_or_name_answers_404(client, content, participant, picture, path):
    assert client.get(path.format(digest=picture.digest)).status_code == 404


def test_a_picture_changed_since_the_load_answers_404_at_its_old_url(
        client, content, participant, picture):
    add_picture(content / "modules" / "gizi", data=SVG.replace("#6abf69", "#000000"))

    assert client.get(f"/materi/gambar/gizi/{picture.digest}/piring.svg").status_code == 404


def test_a_picture_that_no_longer_passes_the_checks_is_not_served(
        app, client, tmp_path, monkeypatch, participant):
    bad = SVG.replace("<rect", '<rect onclick="alert(1)"')
    add_picture(tmp_path, data=bad)
    (tmp_path / "modules" / "gizi").mkdir(parents=True)
    (tmp_path / "images").rename(tmp_path / "modules" / "gizi" / "images")
    monkeypatch.setitem(app.config, "CONTENT_DIR", str(tmp_path))
    digest = hashlib.sha256(bad.encode()).hexdigest()[:images.DIGEST_LENGTH]  # the file's own

    assert client.get(f"/materi/gambar/gizi/{digest}/piring.svg").status_code == 404


def test_the_loader_writes_the_routes_own_url(app, picture):
    with app.test_request_context():
        assert url_for("learning.lesson_image", code="gizi", digest=picture.digest,
                       name="piring.svg") == picture.url("gizi")


def test_visitors_are_sent_to_log_in(client, content, picture):
    response = client.get(f"/materi/gambar/gizi/{picture.digest}/piring.svg")

    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
