"""Lesson pictures: small SVG or WebP files in a module's `images/` folder (issue 11 point 7).

A lesson shows a picture with Markdown `![alt](images/name.svg)`. When the content is loaded
every picture is checked (name, type, size, and for SVG that nothing in it runs or fetches
anything) and the `<img>` gets its final URL, which carries the file's digest:
`/materi/gambar/<module>/<digest>/<name>`. The file is served from the configured content
directory (`CONTENT_DIR`), checked again when served, and only if its digest is still the one
in the URL, so the URL can be cached for a year. Not stored in the database (product §3 keeps
uploads there, and a table would need a migration): the content directory ships with the code
like the templates, so every app process has the same files, and the digest check means a
process never sends a picture other than the one the lesson was rendered with. Content loaded
with `flask content load --directory` from elsewhere shows its pictures only if that
directory is also `CONTENT_DIR`.

Alt text comes in both languages from `images/images.yaml`. Lesson HTML is rendered at load
time, so the `<img>` carries both (`alt` in Indonesian, `data-alt-en` in English) and
`in_reader_language` keeps the one the reader chose when the page is shown.

Messages are for the operator running the load, so they are in English.
"""
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

import yaml
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from .. import NotFound

IMAGE_DIR = "images"
ALT_FILE = "images.yaml"
MAX_BYTES = 30 * 1024
MEDIA_TYPES = {"svg": "image/svg+xml", "webp": "image/webp"}
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.(svg|webp)$")
CODE_RE = re.compile(r"^[a-z0-9_]{1,40}$")
DIGEST_LENGTH = 16
DIGEST_RE = re.compile(rf"^[0-9a-f]{{{DIGEST_LENGTH}}}$")
#: The path of the `learning.lesson_image` route (tests/web/test_lesson_images.py checks it).
URL_PREFIX = "/materi/gambar"
URL_RE = re.compile(rf'src="{URL_PREFIX}/[a-z0-9_]+/([0-9a-f]{{{DIGEST_LENGTH}}})/([a-z0-9.-]+)"')
ALT_MAX_LENGTH = 300

#: What lesson HTML may hold besides reader.ALLOWED_TAGS, only in lessons rendered with pictures.
TAGS = {"img"}
ATTRIBUTES = {"img": {"src", "alt", "data-alt-en", "width", "height", "loading", "decoding"}}

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Flat drawings need no more. Not here: script, foreignObject, image, a, animate/set (which can
#: rewrite an href), iframe, and anything from another namespace.
SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "style", "symbol", "use", "rect", "circle", "ellipse",
    "line", "polyline", "polygon", "path", "text", "tspan", "linearGradient", "radialGradient",
    "stop", "clipPath", "mask", "pattern", "marker",
}
CSS_URL_RE = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


class PictureError(Exception):
    """A picture file breaks a rule; `reason` says which."""


@dataclass(frozen=True)
class Picture:
    name: str
    media_type: str
    data: bytes
    digest: str
    width: int
    height: int

    def url(self, code):
        return f"{URL_PREFIX}/{code}/{self.digest}/{self.name}"


def check_picture(name, data):
    """The rules every lesson picture keeps, at load and again when served: a lowercase name
    ending in .svg or .webp, at most MAX_BYTES, and content that is what its name says. An SVG
    may not run or fetch anything: no DOCTYPE/ENTITY, no <script>, no <foreignObject>, no on*
    attributes, links only to #fragments inside the file, CSS url() only to #fragments."""
    match = NAME_RE.match(name)
    if not match:
        raise PictureError("the name must be lowercase letters, digits and hyphens ending in "
                           ".svg or .webp")
    if len(data) > MAX_BYTES:
        raise PictureError(f"{len(data) / 1024:.1f} KB is larger than the limit of "
                           f"{MAX_BYTES // 1024} KB")
    kind = match.group(1)
    width, height = _svg_size(data) if kind == "svg" else _webp_size(data)
    return Picture(name=name, media_type=MEDIA_TYPES[kind], data=data,
                   digest=hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH],
                   width=width, height=height)


def served_picture(content_dir, code, digest, name):
    """The picture behind a lesson image URL, or NotFound: an unknown module or name, a digest
    that is not the file's (a stale URL), or a file that no longer passes the checks."""
    if not (CODE_RE.match(code) and DIGEST_RE.match(digest) and NAME_RE.match(name)):
        raise NotFound()
    path = Path(content_dir) / "modules" / code / IMAGE_DIR / name
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        raise NotFound()
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH] != digest:
        raise NotFound()
    try:
        return check_picture(name, data)
    except PictureError:
        raise NotFound() from None


_IMG_TAG_RE = re.compile(r'<img((?: [a-z-]+="[^"]*")*)\s*/?>')
_ATTR_RE = re.compile(r' ([a-z-]+)="([^"]*)"')


def in_reader_language(html, language):
    """Lesson HTML with each picture's alt text in the reader's language (`id` or `en`).

    The HTML was sanitised when it was loaded, so attribute values are already escaped and are
    moved, never unescaped."""
    def one(match):
        attributes = dict(_ATTR_RE.findall(match.group(1)))
        english = attributes.pop("data-alt-en", None)
        if english and language == "en":
            attributes["alt"] = english
        return "<img" + "".join(f' {key}="{value}"' for key, value in attributes.items()) + ">"
    return _IMG_TAG_RE.sub(one, html)


def pictures_shown(lessons):
    """[[name, digest], ...] of the pictures in these lessons' HTML, for the module's content
    hash: a changed picture is a new module version even when no Markdown changed."""
    return sorted({(name, digest) for lesson in lessons
                   for digest, name in URL_RE.findall(lesson.body_html)})


class ModulePictures:
    """The pictures of one module, read and checked once each, for its lessons to place.

    `problem(path, reason)` records a refusal (reader._Checker.problem); each names the lesson
    file that asked for the picture."""

    def __init__(self, module_dir, problem):
        self.module_dir = Path(module_dir)
        self.code = self.module_dir.name
        self.problem = problem
        self._pictures = {}
        self._alts = None

    def extension(self, lesson_path):
        """A Markdown extension that places this lesson's pictures and refuses HTML images."""
        return _PictureExtension(self, Path(lesson_path))

    def place(self, img, lesson_path):
        """Check one Markdown image and give it its final attributes; False if refused."""
        src = (img.get("src") or "").strip()
        alt = " ".join((img.get("alt") or "").split())
        where = f"picture '{src}': "
        name = self._name(src, lesson_path, where)
        if name is None:
            return False
        picture = self._picture(name)
        if isinstance(picture, str):
            self.problem(lesson_path, where + picture)
            return False
        alts = self._alt_texts().get(name)
        if alts is None:
            self.problem(lesson_path, f"{where}no alt text for '{name}' in "
                                      f"{IMAGE_DIR}/{ALT_FILE} (alt_id and alt_en)")
            return False
        if alt and alt != alts["alt_id"]:
            self.problem(lesson_path, f"{where}the alt text in the Markdown must be empty or "
                                      f"equal alt_id in {IMAGE_DIR}/{ALT_FILE}")
            return False
        img.attrib.clear()
        for key, value in (("src", picture.url(self.code)), ("alt", alts["alt_id"]),
                           ("data-alt-en", alts["alt_en"]), ("width", str(picture.width)),
                           ("height", str(picture.height)), ("loading", "lazy"),
                           ("decoding", "async")):
            img.set(key, value)
        return True

    def _name(self, src, lesson_path, where):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", src):
            reason = "remote or data URLs are not allowed; put the file in the module's images/ folder"
        elif src.startswith(("/", "\\")):
            reason = "absolute paths are not allowed; write images/<name>"
        elif ".." in src.replace("\\", "/").split("/"):
            reason = "'..' is not allowed in a picture path; write images/<name>"
        elif not src.startswith(f"{IMAGE_DIR}/") or "/" in src[len(IMAGE_DIR) + 1:]:
            reason = f"a picture must be a file in the module's {IMAGE_DIR}/ folder: images/<name>"
        elif not src.lower().endswith((".svg", ".webp")):
            reason = f"only SVG or WebP pictures are allowed, not '{Path(src).suffix or src}'"
        elif not NAME_RE.match(src[len(IMAGE_DIR) + 1:]):
            reason = "the file name must be lowercase letters, digits and hyphens"
        else:
            return src[len(IMAGE_DIR) + 1:]
        self.problem(lesson_path, where + reason)
        return None

    def _picture(self, name):
        """The checked Picture, or the reason it is refused (cached: one check per file)."""
        if name not in self._pictures:
            path = self.module_dir / IMAGE_DIR / name
            if not path.is_file():
                self._pictures[name] = f"file {IMAGE_DIR}/{name} not found in the module"
            else:
                try:
                    self._pictures[name] = check_picture(name, path.read_bytes())
                except PictureError as error:
                    self._pictures[name] = str(error)
        return self._pictures[name]

    def _alt_texts(self):
        """{name: {"alt_id": ..., "alt_en": ...}} from images/images.yaml (read once)."""
        if self._alts is None:
            self._alts = {}
            path = self.module_dir / IMAGE_DIR / ALT_FILE
            if not path.is_file():
                return self._alts
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, yaml.YAMLError) as error:
                self.problem(path, f"cannot be read: {error}")
                return self._alts
            if not isinstance(data, dict):
                self.problem(path, "expected a mapping of file name to alt_id and alt_en")
                return self._alts
            for name, texts in data.items():
                if not isinstance(texts, dict) or set(texts) != {"alt_id", "alt_en"}:
                    self.problem(path, f"{name}: expected exactly alt_id and alt_en")
                    continue
                clean = {key: " ".join(str(value or "").split()) for key, value in texts.items()}
                if not all(0 < len(value) <= ALT_MAX_LENGTH for value in clean.values()):
                    self.problem(path, f"{name}: alt_id and alt_en must be non-empty texts of "
                                       f"at most {ALT_MAX_LENGTH} characters")
                    continue
                self._alts[name] = clean
        return self._alts


class _PictureExtension(Extension):
    def __init__(self, pictures, lesson_path):
        super().__init__()
        self.pictures = pictures
        self.lesson_path = lesson_path
        self.seen = 0

    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_PlacePictures(md, self), "lesson_pictures", 5)
        md.postprocessors.register(_NoHtmlImages(md, self), "lesson_no_html_images", 5)


class _PlacePictures(Treeprocessor):
    def __init__(self, md, extension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        for img in list(root.iter("img")):
            self.extension.seen += 1
            self.extension.pictures.place(img, self.extension.lesson_path)


class _NoHtmlImages(Postprocessor):
    """Runs after raw HTML is put back: any <img> the Markdown did not make is raw HTML."""

    def __init__(self, md, extension):
        super().__init__(md)
        self.extension = extension

    def run(self, text):
        if len(re.findall(r"<img\b", text, re.IGNORECASE)) > self.extension.seen:
            self.extension.pictures.problem(
                self.extension.lesson_path,
                "pictures must be written as Markdown ![alt](images/<name>), not as HTML <img>")
        return text


# --- what is inside a file --------------------------------------------------------------

def _svg_size(data):
    """Parse the SVG strictly; return its (width, height) in CSS pixels or raise PictureError."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise PictureError("DOCTYPE and ENTITY declarations are not allowed in an SVG")
    state = {"root": None, "style_depth": 0}
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(reason):
        def handler(*_args):
            raise PictureError(reason)
        return handler

    parser.StartDoctypeDeclHandler = refuse("DOCTYPE declarations are not allowed in an SVG")
    parser.EntityDeclHandler = refuse("ENTITY declarations are not allowed in an SVG")
    parser.ExternalEntityRefHandler = refuse("external entities are not allowed in an SVG")
    parser.ProcessingInstructionHandler = refuse(
        "processing instructions (such as xml-stylesheet) are not allowed in an SVG")

    def start(name, attributes):
        namespace, _, local = name.rpartition(" ")
        if local in ("script", "foreignObject"):
            raise PictureError(f"<{local}> is not allowed in an SVG")
        if namespace != SVG_NS:
            raise PictureError(f"<{local}> is not an SVG element (every element must be in "
                               f"xmlns=\"{SVG_NS}\")")
        if local not in SVG_ELEMENTS:
            raise PictureError(f"<{local}> is not allowed in a lesson picture")
        if state["root"] is None:
            if local != "svg":
                raise PictureError("the root element must be <svg>")
            state["root"] = attributes
        if local == "style":
            state["style_depth"] += 1
        for key, value in attributes.items():
            _check_attribute(key, value)

    def end(name):
        if name.rpartition(" ")[2] == "style":
            state["style_depth"] -= 1

    def characters(text):
        if state["style_depth"]:
            _check_css(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise PictureError(f"not well-formed XML: {error}") from None
    return _svg_dimensions(state["root"])


def _check_attribute(key, value):
    namespace, _, local = key.rpartition(" ")
    if namespace not in ("", XLINK_NS, XML_NS):
        raise PictureError(f"attribute '{local}' from namespace {namespace} is not allowed")
    if local.lower().startswith("on"):
        raise PictureError(f"event handler attribute '{local}' is not allowed in an SVG")
    if local == "href" and not value.strip().startswith("#"):
        raise PictureError(f"link '{value}' points outside the file (only #fragment links "
                           f"are allowed)")
    _check_css(value)


def _check_css(text):
    lowered = text.lower()
    if "\\" in text:
        raise PictureError("backslash escapes are not allowed in SVG styles or attributes")
    if "@import" in lowered or "image-set(" in lowered:
        raise PictureError("@import and image-set() are not allowed in an SVG")
    for target in CSS_URL_RE.findall(text):
        if not target.startswith("#"):
            raise PictureError(f"url({target}) points outside the file (only url(#id) is allowed)")


def _svg_dimensions(root):
    numbers = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        box = [float(n) for n in numbers]
    except ValueError:
        box = []
    if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
        raise PictureError("the <svg> needs a viewBox=\"0 0 width height\" (it sizes the <img>)")
    return round(box[2]), round(box[3])


def _webp_size(data):
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise PictureError("not a WebP file (no RIFF/WEBP header)")
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
    elif chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise PictureError("not a WebP file (broken VP8 header)")
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        height = int.from_bytes(data[28:30], "little") & 0x3FFF
    elif chunk == b"VP8L":
        if data[20] != 0x2F:
            raise PictureError("not a WebP file (broken VP8L header)")
        bits = int.from_bytes(data[21:25], "little")
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    else:
        raise PictureError("not a WebP file (unknown chunk)")
    if not width or not height:
        raise PictureError("not a WebP file (no size)")
    return width, height
