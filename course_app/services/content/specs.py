"""What the content files say, and what a load changed."""
import hashlib
import json
from dataclasses import dataclass, field

from ...models import ContentLoad
from .images import pictures_shown

#: Bump when the Markdown → HTML rendering changes, so the next load re-renders every lesson.
RENDER_VERSION = 1


def sha256_of(data):
    """A stable hash of JSON-able data: the basis of idempotent, versioned loads."""
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass
class LessonSpec:
    slug: str
    title: str
    position: int
    body_markdown: str
    body_html: str
    min_read_seconds: int | None


@dataclass
class OptionSpec:
    text: str
    correct: bool


@dataclass
class QuestionSpec:
    key: str
    kind: str
    text: str
    explanation: str
    options: list[OptionSpec]
    #: The slug of the lesson the question tests (issue 11 point 4). Metadata, not part of
    #: `content_hash`: retagging a question updates its current row, with no new revision and
    #: no new module version (what was asked did not change).
    lesson: str | None = None

    @property
    def content_hash(self):
        return sha256_of({"type": self.kind, "text": self.text, "explanation": self.explanation,
                        "options": [[o.text, o.correct] for o in self.options]})


@dataclass
class ModuleSpec:
    code: str
    title: str
    summary: str
    position: int
    questions_per_attempt: int
    pass_mark: int
    lessons: list[LessonSpec]
    questions: list[QuestionSpec]
    #: Required for the certificate. Not part of `content_hash`: it changes no lesson or
    #: question, so flipping it keeps the module's version (attempts stay comparable).
    required: bool = True

    @property
    def content_hash(self):
        # A changed picture is a new version; a module without pictures keeps the hash it had.
        pictures = pictures_shown(self.lessons)
        return sha256_of(({"pictures": pictures} if pictures else {}) | {
            "render": RENDER_VERSION,
            "module": [self.code, self.title, self.summary, self.position,
                       self.questions_per_attempt, self.pass_mark],
            "lessons": [[le.slug, le.title, le.min_read_seconds, le.body_markdown]
                        for le in self.lessons],
            "questions": [[q.key, q.content_hash] for q in self.questions],
        })


# --- what a load did --------------------------------------------------------------------

@dataclass
class ModuleChange:
    code: str
    #: created | updated | flagged (only metadata changed: `required` or questions' lesson tags;
    #: the version is kept) | unchanged | deactivated
    action: str
    version: int
    #: Set when this load changed whether the certificate requires the module.
    required: bool | None = None
    lessons_added: int = 0
    lessons_updated: int = 0
    lessons_deactivated: int = 0
    questions_added: int = 0
    questions_revised: int = 0
    questions_deactivated: int = 0
    questions_retagged: int = 0

    def describe(self):
        if self.action == "unchanged":
            return f"{self.code}: unchanged (version {self.version})"
        if self.action == "deactivated":
            return f"{self.code}: deactivated (no longer in the files; version {self.version} kept)"
        verb = "created" if self.action == "created" else "updated to"
        parts = []
        if self.required is not None:
            parts.append("required for the certificate" if self.required
                         else "optional (not required for the certificate)")
        for label, counts in (
                ("lessons", (("added", self.lessons_added), ("updated", self.lessons_updated),
                             ("deactivated", self.lessons_deactivated))),
                ("questions", (("added", self.questions_added), ("revised", self.questions_revised),
                               ("deactivated", self.questions_deactivated),
                               ("retagged", self.questions_retagged)))):
            done = [f"{n} {what}" for what, n in counts if n]
            if done:
                parts.append(f"{label}: {', '.join(done)}")
        detail = f" — {'; '.join(parts)}" if parts else ""
        if self.action == "flagged":
            return f"{self.code}: version {self.version} kept{detail}"
        return f"{self.code}: {verb} version {self.version}{detail}"


@dataclass
class LoadReport:
    modules: list[ModuleChange] = field(default_factory=list)
    content_hash: str = ""
    content_load: ContentLoad | None = None

    @property
    def changed(self):
        return any(m.action != "unchanged" for m in self.modules)

    def by_code(self, code):
        return next((m for m in self.modules if m.code == code), None)

    def describe(self):
        lines = [m.describe() for m in self.modules]
        if self.changed:
            count = sum(1 for m in self.modules if m.action != "unchanged")
            lines.append(f"Content load recorded: {count} module(s) changed.")
        else:
            lines.append("Nothing changed: the database already holds this content.")
        return "\n".join(lines)
