"""Lesson pictures (issue 11 point 7): a lesson shows only small, checked SVG or WebP files from
its module's images/ folder, with alt text in both languages; every refusal names the lesson."""
import io
import re

import pytest
import yaml
from sqlalchemy import select

from config import BASE_DIR
from course_app.extensions import db
from course_app.models import Lesson, Module
from course_app.services.content import ContentError, images, read_content, render_markdown

from .test_content import load_and_commit, module, write_module, write_yaml

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">'
       '<rect width="200" height="100" fill="#6abf69"/><text x="10" y="50">Sayur</text></svg>')
ALTS = {"piring.svg": {"alt_id": "Piring makan seimbang.", "alt_en": "A balanced plate."}}
LESSON = "content/modules/gizi/lessons/01-pelajaran-1.md"
REAL_PICTURES = {"gizi": {"isi-piringku.svg", "mengukur-lila.svg"},
                 "imunisasi": {"jadwal-td.svg"}}


def add_picture(module_dir, name="piring.svg", data=SVG, alts=ALTS):
    folder = module_dir / "images"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if alts is not None:
        write_yaml(folder / "images.yaml", alts)


def write_lesson(module_dir, markdown, number=1):
    path = module_dir / "lessons" / f"{number:02d}-pelajaran-{number}.md"
    path.write_text(f"Isi pelajaran.\n\n{markdown}\n\nPenjelasan gambar.\n\n## Sumber\n\n"
                    f"- Kemenkes, 2024\n", encoding="utf-8")


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "content"
    write_module(root, "gizi", position=1)
    write_module(root, "imunisasi", position=2)
    add_picture(root / "modules" / "gizi")
    return root


@pytest.fixture
def gizi(root):
    return root / "modules" / "gizi"


def refusal(root):
    with pytest.raises(ContentError) as caught:
        read_content(root)
    return str(caught.value)


def lesson_html(slug="pelajaran-1", code="gizi"):
    """The lesson's stored HTML (both fixture modules have a `pelajaran-1`: name the module, or
    PostgreSQL may return the other one)."""
    return db.session.scalar(select(Lesson).join(Module, Module.id == Lesson.module_id)
                             .where(Lesson.slug == slug, Module.code == code)).body_html


def img_attributes(html):
    """The attributes of the one <img> in `html`, as written."""
    (tag,) = re.findall(r"<img [^>]*>", html)
    return dict(re.findall(r' ([a-z-]+)="([^"]*)"', tag))


def digest_of(data):
    return images.check_picture("x.svg", data.encode("utf-8")).digest


# --- placing a picture ------------------------------------------------------------------

@pytest.mark.parametrize("markdown", ["![](images/piring.svg)",
                                      "![Piring makan seimbang.](images/piring.svg)"])
def test_a_lesson_picture_becomes_an_img_with_its_digest_size_and_both_alt_texts(root, gizi,
                                                                                 markdown):
    write_lesson(gizi, markdown)

    load_and_commit(root)

    html = lesson_html()
    assert img_attributes(html) == {
        "src": f"/materi/gambar/gizi/{digest_of(SVG)}/piring.svg",
        "alt": "Piring makan seimbang.", "data-alt-en": "A balanced plate.",
        "width": "200", "height": "100", "loading": "lazy", "decoding": "async"}
    assert html.index("Isi pelajaran.") < html.index("<img") < html.index("Penjelasan gambar.")


def test_the_reader_sees_the_alt_text_in_their_language(root, gizi):
    write_lesson(gizi, "![](images/piring.svg)")
    load_and_commit(root)

    indonesian = images.in_reader_language(lesson_html(), "id")
    english = images.in_reader_language(lesson_html(), "en")

    assert img_attributes(indonesian)["alt"] == "Piring makan seimbang."
    assert "data-alt-en" not in indonesian
    assert img_attributes(english)["alt"] == "A balanced plate." and "Piring makan" not in english
    assert img_attributes(english)["src"] == img_attributes(indonesian)["src"]
    assert {"width": "200", "height": "100", "loading": "lazy"}.items() \
        <= img_attributes(english).items()


def test_alt_text_keeps_its_escaping_when_the_language_is_chosen(root, gizi):
    add_picture(gizi, alts={"piring.svg": {"alt_id": 'Piring "seimbang" <sehat> & enak',
                                           "alt_en": 'A "balanced" <plate> & more'}})
    write_lesson(gizi, "![](images/piring.svg)")
    load_and_commit(root)

    english = images.in_reader_language(lesson_html(), "en")

    assert 'alt="A &quot;balanced&quot; &lt;plate&gt; &amp; more"' in english
    assert "<plate>" not in english


def test_a_changed_picture_is_a_new_module_version_with_a_new_url(root, gizi):
    write_lesson(gizi, "![](images/piring.svg)")
    load_and_commit(root)
    changed = SVG.replace("#6abf69", "#4caf50")
    add_picture(gizi, data=changed)

    report = load_and_commit(root)

    assert report.by_code("gizi").action == "updated" and module("gizi").version == 2
    assert report.by_code("imunisasi").action == "unchanged"
    assert f"/gizi/{digest_of(changed)}/piring.svg" in lesson_html()
    assert digest_of(SVG) not in lesson_html()


def test_a_module_without_pictures_keeps_its_content_hash(root):
    imunisasi = next(spec for spec in read_content(root) if spec.code == "imunisasi")
    from course_app.services.content.specs import RENDER_VERSION, sha256_of
    assert imunisasi.content_hash == sha256_of({
        "render": RENDER_VERSION,
        "module": [imunisasi.code, imunisasi.title, imunisasi.summary, imunisasi.position,
                   imunisasi.questions_per_attempt, imunisasi.pass_mark],
        "lessons": [[le.slug, le.title, le.min_read_seconds, le.body_markdown]
                    for le in imunisasi.lessons],
        "questions": [[q.key, q.content_hash] for q in imunisasi.questions],
    })


def test_without_pictures_render_markdown_still_allows_no_img():
    assert "<img" not in render_markdown("Teks.\n\n![gambar](images/piring.svg)\n")


# --- refusals: each names the lesson file -----------------------------------------------

@pytest.mark.parametrize("markdown,reason", [
    ("![Piring](https://example.com/piring.svg)", "remote or data URLs are not allowed"),
    ("![](//example.com/piring.svg)", "remote or data URLs are not allowed"),
    ("![](data:image/svg+xml;base64,PHN2Zz4=)", "remote or data URLs are not allowed"),
    ("![][p]\n\n[p]: http://example.com/p.svg", "remote or data URLs are not allowed"),
    ("![](/etc/piring.svg)", "absolute paths are not allowed"),
    ("![](images/../../imunisasi/images/piring.svg)", "'..' is not allowed"),
    ("![](../gizi/images/piring.svg)", "'..' is not allowed"),
    ("![](lessons/piring.svg)", "a picture must be a file in the module's images/ folder"),
    ("![](images/foto.png)", "only SVG or WebP pictures are allowed, not '.png'"),
    ("![](images/Piring_Besar.svg)", "lowercase letters, digits and hyphens"),
    ("![](images/tidak-ada.svg)", "file images/tidak-ada.svg not found"),
    ("![Gambar lain](images/piring.svg)", "must be empty or equal alt_id"),
    ('<img src="images/piring.svg" alt="">', "not as HTML <img>"),
    ('<p><IMG SRC="https://example.com/x.svg"></p>', "not as HTML <img>"),
])
def test_a_picture_that_breaks_the_rules_is_refused_naming_the_lesson(root, gizi, markdown,
                                                                       reason):
    write_lesson(gizi, markdown)

    message = refusal(root)

    assert f"{LESSON}: " in message and reason in message


def _padded(size):
    body = SVG.replace("</svg>", "")
    return body + "<!--" + "x" * (size - len(body) - len("<!---->") - len("</svg>")) + "--></svg>"


@pytest.mark.parametrize("svg,reason", [
    (SVG.replace("<rect", '<script>alert(1)</script><rect'), "<script> is not allowed"),
    (SVG.replace("<rect", '<foreignObject width="9" height="9"/><rect'),
     "<foreignObject> is not allowed"),
    (SVG.replace("<rect", '<rect onclick="alert(1)"'), "event handler attribute 'onclick'"),
    (SVG.replace('viewBox', 'onload="alert(1)" viewBox'), "event handler attribute 'onload'"),
    (SVG.replace("<rect", '<use href="https://example.com/s.svg#a"/><rect'),
     "points outside the file"),
    (SVG.replace('xmlns="http://www.w3.org/2000/svg"',
                 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"')
        .replace("<rect", '<use xlink:href="other.svg#a"/><rect'), "points outside the file"),
    (SVG.replace('fill="#6abf69"', 'fill="url(https://example.com/p.svg#g)"'),
     "points outside the file"),
    (SVG.replace("<rect", "<style>rect { fill: url('http://example.com/x') }</style><rect"),
     "points outside the file"),
    (SVG.replace("<rect", "<style>@import 'https://example.com/a.css';</style><rect"),
     "@import"),
    (SVG.replace("<rect", '<rect style="background:u\\72l(http://e.com/x)"'),
     "backslash escapes"),
    ('<!DOCTYPE svg [<!ENTITY a "aaaa">]>' + SVG, "DOCTYPE and ENTITY declarations"),
    ('<?xml-stylesheet href="https://example.com/a.css"?>' + SVG, "processing instructions"),
    (SVG.replace("<rect", '<image href="#a"/><rect'), "<image> is not allowed"),
    (SVG.replace("<rect", '<set attributeName="href" to="javascript:alert(1)"/><rect'),
     "<set> is not allowed"),
    (SVG.replace('xmlns="http://www.w3.org/2000/svg"', ""), "is not an SVG element"),
    (SVG.replace(' viewBox="0 0 200 100"', ""), "needs a viewBox"),
    (SVG.replace("</svg>", ""), "not well-formed XML"),
    (_padded(images.MAX_BYTES + 1), "larger than the limit of 30 KB"),
])
def test_an_svg_that_could_run_or_fetch_anything_is_refused_naming_the_lesson(root, gizi, svg,
                                                                              reason):
    add_picture(gizi, data=svg)
    write_lesson(gizi, "![](images/piring.svg)")

    message = refusal(root)

    assert f"{LESSON}: picture 'images/piring.svg': " in message and reason in message


def test_an_svg_at_the_size_limit_is_accepted(root, gizi):
    add_picture(gizi, data=_padded(images.MAX_BYTES))
    write_lesson(gizi, "![](images/piring.svg)")

    assert read_content(root)


def test_a_picture_without_alt_text_in_both_languages_is_refused(root, gizi):
    add_picture(gizi, alts={"lain.svg": ALTS["piring.svg"]})
    write_lesson(gizi, "![Piring](images/piring.svg)")

    assert "no alt text for 'piring.svg' in images/images.yaml" in refusal(root)


def test_a_broken_alt_file_is_refused_naming_it(root, gizi):
    add_picture(gizi, alts={"piring.svg": {"alt_id": "Piring."}})
    write_lesson(gizi, "![](images/piring.svg)")

    assert ("content/modules/gizi/images/images.yaml: piring.svg: expected exactly alt_id "
            "and alt_en") in refusal(root)


# --- WebP -------------------------------------------------------------------------------

@pytest.mark.parametrize("lossless", [False, True])
def test_a_webp_picture_is_accepted_with_its_size(lossless):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 20), "green").save(buffer, "WEBP", lossless=lossless)

    picture = images.check_picture("piring.webp", buffer.getvalue())

    assert (picture.media_type, picture.width, picture.height) == ("image/webp", 48, 20)


def test_a_file_that_is_not_what_its_name_says_is_refused(root, gizi):
    add_picture(gizi, name="piring.webp", data=SVG,
                alts={"piring.webp": ALTS["piring.svg"]})
    write_lesson(gizi, "![](images/piring.webp)")

    assert "not a WebP file" in refusal(root)


# --- the course's own pictures ----------------------------------------------------------

@pytest.mark.parametrize("code", sorted(REAL_PICTURES))
def test_the_real_pictures_pass_the_checks_and_have_alt_text_in_both_languages(code):
    module_dir = BASE_DIR / "content" / "modules" / code
    alts = yaml.safe_load((module_dir / "images" / "images.yaml").read_text(encoding="utf-8"))
    problems = []
    pictures = images.ModulePictures(module_dir, lambda path, reason: problems.append(reason))
    for name in sorted(REAL_PICTURES[code]):
        data = (module_dir / "images" / name).read_bytes()
        picture = images.check_picture(name, data)
        assert picture.media_type == "image/svg+xml" and len(data) <= 8 * 1024
        assert set(alts[name]) == {"alt_id", "alt_en"}

        html = render_markdown(f"![](images/{name})\n",
                               pictures.extension(module_dir / "lessons" / "x.md"))

        assert problems == []
        attributes = img_attributes(html)
        assert attributes["src"] == f"/materi/gambar/{code}/{picture.digest}/{name}"
        assert (attributes["width"], attributes["height"]) == (str(picture.width),
                                                               str(picture.height))
        assert attributes["alt"] == " ".join(alts[name]["alt_id"].split())
