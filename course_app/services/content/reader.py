"""Phase 1: read and check every content file. Any problem raises ContentError; the database
is not touched. Messages are for the operator running the command, so they are in English."""
import re
from pathlib import Path

import markdown
import nh3
import yaml

from . import images
from .bank_rules import check_question_bank
from .specs import LessonSpec, ModuleSpec, OptionSpec, QuestionSpec

#: Lesson HTML may contain only these tags (product §8: nothing executable reaches the page).
ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em",
    "table", "thead", "tbody", "tr", "th", "td", "blockquote", "a", "br", "hr", "code",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

#: Path segments the learning blueprint uses itself (/materi/kuis/..., /materi/<code>/kuis).
RESERVED_NAMES = {"kuis"}

CODE_RE = re.compile(r"^[a-z0-9_]+$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

MODULE_KEYS = {"code", "title", "summary", "position", "required", "quiz", "lessons"}
QUIZ_KEYS = {"questions_per_attempt", "pass_mark"}
LESSON_KEYS = {"slug", "title", "file", "min_read_seconds"}
QUESTION_KEYS = {"key", "type", "lesson", "text", "options", "explanation"}
OPTION_KEYS = {"text", "correct"}
QUESTION_TYPES = ("single", "multiple")


class ContentError(Exception):
    """The content files are broken; nothing was loaded. One line per problem: "file: reason"."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def read_content(directory):
    """Parse and validate the whole content tree; return the module specs or raise ContentError."""
    root = Path(directory).resolve()
    checker = _Checker(root)
    modules_dir = root / "modules"
    if not modules_dir.is_dir():
        raise ContentError([f"{checker.show(modules_dir)}: directory not found"])
    specs = []
    for module_dir in sorted(p for p in modules_dir.iterdir()
                             if p.is_dir() and not p.name.startswith((".", "_"))):
        spec = checker.module(module_dir)
        if spec is not None:
            specs.append(spec)
    if not specs and not checker.problems:
        checker.problem(modules_dir, "no modules found")
    positions = {}
    for spec in specs:
        positions.setdefault(spec.position, []).append(spec.code)
    for position, codes in positions.items():
        if len(codes) > 1:
            checker.problem(modules_dir, f"modules {', '.join(codes)} share position {position}")
    if checker.problems:
        raise ContentError(checker.problems)
    return sorted(specs, key=lambda s: (s.position, s.code))


def render_markdown(text, pictures=None):
    """Lesson Markdown → HTML that contains nothing but the allowed tags and safe links.

    With `pictures` (images.ModulePictures(...).extension(lesson file)) the lesson may show
    its module's checked pictures, `![alt](images/name.svg)`; without it, no <img> at all."""
    extensions, tags, attributes = ["tables", "sane_lists"], ALLOWED_TAGS, ALLOWED_ATTRIBUTES
    if pictures is not None:
        extensions.append(pictures)
        tags, attributes = tags | images.TAGS, attributes | images.ATTRIBUTES
    html = markdown.markdown(text, extensions=extensions, output_format="html")
    return nh3.clean(html, tags=tags, attributes=attributes,
                     clean_content_tags={"script", "style"}, link_rel="noopener noreferrer",
                     url_schemes=ALLOWED_URL_SCHEMES, strip_comments=True)


class _Checker:
    def __init__(self, root):
        self.root = root
        self.problems = []

    def show(self, path):
        """Paths in messages start at the content directory's name: content/modules/gizi/..."""
        try:
            return str(Path(self.root.name) / Path(path).relative_to(self.root))
        except ValueError:
            return str(path)

    def problem(self, path, reason):
        self.problems.append(f"{self.show(path)}: {reason}")

    def yaml_file(self, path):
        if not path.is_file():
            self.problem(path, "file not found")
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem(path, "not valid UTF-8 text")
            return None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            reason = getattr(error, "problem", None) or str(error)
            self.problem(path, f"{where}YAML syntax error: {reason}")
            return None
        if not isinstance(data, dict):
            self.problem(path, "expected a mapping of keys at the top level")
            return None
        return data

    def keys(self, path, where, data, allowed, required):
        ok = True
        for key in sorted(required - data.keys()):
            self.problem(path, f"{where}missing key '{key}'")
            ok = False
        for key in sorted(data.keys() - allowed, key=str):
            self.problem(path, f"{where}unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
            ok = False
        return ok

    def text(self, path, where, value, name, max_length=None):
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"{where}'{name}' must be a non-empty text")
            return None
        value = value.strip()
        if max_length and len(value) > max_length:
            self.problem(path, f"{where}'{name}' is longer than {max_length} characters")
            return None
        return value

    def integer(self, path, where, value, name, low, high=None):
        if isinstance(value, bool) or not isinstance(value, int) or value < low \
                or (high is not None and value > high):
            bounds = f"{low}–{high}" if high is not None else f"{low} or more"
            self.problem(path, f"{where}'{name}' must be a whole number, {bounds}")
            return None
        return value

    def module(self, module_dir):
        path = module_dir / "module.yaml"
        data = self.yaml_file(path)
        questions = self.questions(module_dir, module_dir.name)
        if data is None:
            return None
        before = len(self.problems)
        self.keys(path, "", data, MODULE_KEYS, MODULE_KEYS - {"summary", "required"})
        code = data.get("code")
        if code is None:
            pass  # reported as a missing key
        elif code != module_dir.name:
            self.problem(path, f"code '{code}' must equal the directory name '{module_dir.name}'")
        elif not CODE_RE.match(code) or len(code) > 40 or code in RESERVED_NAMES:
            self.problem(path, f"code '{code}' must be 1–40 lowercase letters, digits or '_' "
                               f"and not one of: {', '.join(sorted(RESERVED_NAMES))}")
        title = self.text(path, "", data.get("title"), "title", 120)
        summary = data.get("summary") or ""
        if not isinstance(summary, str):
            self.problem(path, "'summary' must be text")
        position = self.integer(path, "", data.get("position"), "position", 0)
        # Which modules a certificate requires is data (product §4); a module is required
        # unless its file says otherwise.
        required = data.get("required", True)
        if not isinstance(required, bool):
            self.problem(path, f"'required' must be true or false, not {required!r}")

        quiz = data.get("quiz")
        per_attempt = pass_mark = None
        if not isinstance(quiz, dict):
            if "quiz" in data:
                self.problem(path, "'quiz' must be a mapping with questions_per_attempt and pass_mark")
        elif self.keys(path, "quiz: ", quiz, QUIZ_KEYS, QUIZ_KEYS):
            per_attempt = self.integer(path, "quiz: ", quiz["questions_per_attempt"],
                                       "questions_per_attempt", 1)
            pass_mark = self.integer(path, "quiz: ", quiz["pass_mark"], "pass_mark", 1, 100)
        if per_attempt is not None and questions is not None and per_attempt > len(questions):
            self.problem(path, f"quiz: draws {per_attempt} questions per attempt but "
                               f"questions.yaml has only {len(questions)}")

        lessons = self.lessons(module_dir, path, data.get("lessons"))
        if questions is not None:  # issue 11 point 4: the bank's countable rules
            check_question_bank(self.problem, module_dir / "questions.yaml", questions,
                                lesson_slugs=None if lessons is None else [le.slug for le in lessons],
                                required=required is not False)
        if len(self.problems) > before or questions is None or lessons is None:
            return None
        return ModuleSpec(code=code, title=title, summary=summary.strip(), position=position,
                          required=required,
                          questions_per_attempt=per_attempt, pass_mark=pass_mark,
                          lessons=lessons, questions=questions)

    def lessons(self, module_dir, path, items):
        if not isinstance(items, list) or not items:
            if items is not None:
                self.problem(path, "'lessons' must be a non-empty list")
            return None
        before = len(self.problems)
        lessons, seen = [], set()
        pictures = images.ModulePictures(module_dir, self.problem)
        for number, item in enumerate(items, start=1):
            where = f"lesson {number}: "
            if not isinstance(item, dict):
                self.problem(path, f"{where}expected a mapping with slug, title and file")
                continue
            if not self.keys(path, where, item, LESSON_KEYS, {"slug", "title", "file"}):
                continue
            slug = item["slug"]
            if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 80 \
                    or slug in RESERVED_NAMES:
                self.problem(path, f"{where}slug '{slug}' must be lowercase letters, digits and "
                                   f"hyphens (at most 80) and not one of: "
                                   f"{', '.join(sorted(RESERVED_NAMES))}")
                continue
            where = f"lesson {slug}: "
            if slug in seen:
                self.problem(path, f"{where}duplicate slug")
                continue
            seen.add(slug)
            title = self.text(path, where, item["title"], "title", 200)
            min_read = item.get("min_read_seconds")
            if min_read is not None:
                min_read = self.integer(path, where, min_read, "min_read_seconds", 0, 3600)
            body = self.lesson_file(module_dir, path, where, item["file"])
            if title is None or body is None:
                continue
            lessons.append(LessonSpec(slug=slug, title=title, position=number,
                                      body_markdown=body, body_html=render_markdown(
                                          body, pictures.extension(module_dir / item["file"])),
                                      min_read_seconds=min_read))
        return lessons if len(self.problems) == before else None

    def lesson_file(self, module_dir, path, where, name):
        if not isinstance(name, str) or not name.strip():
            self.problem(path, f"{where}'file' must be a path relative to the module directory")
            return None
        file = (module_dir / name).resolve()
        if not file.is_relative_to(module_dir.resolve()):
            self.problem(path, f"{where}file '{name}' is outside the module directory")
            return None
        if not file.is_file():
            self.problem(path, f"{where}file '{name}' not found")
            return None
        try:
            body = file.read_text(encoding="utf-8").strip()
        except UnicodeDecodeError:
            self.problem(file, "not valid UTF-8 text")
            return None
        if not body:
            self.problem(file, "the lesson is empty")
            return None
        return body + "\n"

    def questions(self, module_dir, code):
        path = module_dir / "questions.yaml"
        data = self.yaml_file(path)
        if data is None:
            return None
        before = len(self.problems)
        if not self.keys(path, "", data, {"questions"}, {"questions"}):
            return None
        items = data["questions"]
        if not isinstance(items, list) or not items:
            self.problem(path, "'questions' must be a non-empty list")
            return None
        questions, seen = [], set()
        for number, item in enumerate(items, start=1):
            where = f"question {number}: "
            if not isinstance(item, dict):
                self.problem(path, f"{where}expected a mapping")
                continue
            key = item.get("key")
            if isinstance(key, str) and key.strip():
                where = f"question {key}: "
            if not self.keys(path, where, item, QUESTION_KEYS, QUESTION_KEYS):
                continue
            key = self.text(path, where, key, "key", 60)
            if key is None:
                continue
            if key in seen:
                self.problem(path, f"{where}duplicate key")
                continue
            seen.add(key)
            question = self.question(path, where, key, item)
            if question is not None:
                questions.append(question)
        return questions if len(self.problems) == before else None

    def question(self, path, where, key, item):
        before = len(self.problems)
        kind = item["type"]
        if kind not in QUESTION_TYPES:
            self.problem(path, f"{where}type must be 'single' or 'multiple', not '{kind}'")
        text = self.text(path, where, item["text"], "text")
        explanation = self.text(path, where, item["explanation"], "explanation")
        lesson = self.text(path, where, item["lesson"], "lesson", 80)
        raw_options = item["options"]
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            self.problem(path, f"{where}needs at least 2 options")
            return None
        options, texts = [], set()
        for number, raw in enumerate(raw_options, start=1):
            at = f"{where}option {number}: "
            if not isinstance(raw, dict):
                self.problem(path, f"{at}expected a mapping with text and correct")
                continue
            if not self.keys(path, at, raw, OPTION_KEYS, OPTION_KEYS):
                continue
            option_text = self.text(path, at, raw["text"], "text")
            if not isinstance(raw["correct"], bool):
                self.problem(path, f"{at}'correct' must be true or false")
                continue
            if option_text is None:
                continue
            if option_text in texts:
                self.problem(path, f"{at}the same text appears twice in this question")
                continue
            texts.add(option_text)
            options.append(OptionSpec(text=option_text, correct=raw["correct"]))
        if len(self.problems) > before:
            return None
        correct = sum(1 for o in options if o.correct)
        if kind == "single" and correct != 1:
            self.problem(path, f"{where}a single-answer question needs exactly one correct "
                               f"option (found {correct})")
            return None
        if kind == "multiple" and correct < 1:
            self.problem(path, f"{where}a multiple-answer question needs at least one correct option")
            return None
        return QuestionSpec(key=key, kind=kind, text=text, explanation=explanation, options=options,
                            lesson=lesson)
