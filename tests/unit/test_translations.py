"""Every UI string is translatable and translated (product §3: Indonesian first, English second)."""
import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
METHOD_MAP = [("course_app/**.py", "python"), ("templates/**.html", "jinja2"),
              ("templates/**.txt", "jinja2")]


def source_messages():
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHOD_MAP, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def english_catalog():
    with (ROOT / "course_app/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        return read_po(io.BytesIO(po.read()))


def test_every_ui_string_has_an_english_translation():
    catalog = english_catalog()
    missing = sorted(m for m in source_messages()
                     if not (catalog.get(m) and catalog.get(m).string and not catalog.get(m).fuzzy))
    assert missing == [], f"{len(missing)} strings lack English; run `make extract-messages`: {missing[:10]}"


def test_english_catalogue_placeholders_match_the_indonesian_source():
    import re
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for message in english_catalog():
        if message.id and isinstance(message.id, str) and message.string:
            assert set(placeholder.findall(message.id)) == set(placeholder.findall(message.string)), message.id
