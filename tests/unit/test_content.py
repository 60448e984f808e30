"""Content loader (product §4): validated first, idempotent, versioned, never deletes."""
import pytest
import yaml
from sqlalchemy import func, select

from config import BASE_DIR
from course_app.extensions import db
from course_app.models import ContentLoad, Lesson, LessonProgress, Module, Question
from course_app.services import quizzes
from course_app.services.content import ContentError, load_content, render_markdown
from course_app.services.content.bank_rules import MIN_QUESTIONS_REQUIRED_MODULE

from .. import factories

# --- a small content tree in tmp_path ----------------------------------------------------

#: A bank that keeps the rules (bank_rules.py) with room to spare: two questions above a
#: required module's minimum, so a test may remove one; 14 per lesson with 3 lessons.
BANK_SIZE = MIN_QUESTIONS_REQUIRED_MODULE + 2

def module_data(code, lessons=3, per_attempt=3, pass_mark=80, position=1):
    return {
        "code": code, "title": f"Modul {code}", "summary": "Ringkasan singkat.",
        "position": position,
        "quiz": {"questions_per_attempt": per_attempt, "pass_mark": pass_mark},
        "lessons": [{"slug": f"pelajaran-{i}", "title": f"Pelajaran {i}",
                     "file": f"lessons/{i:02d}-pelajaran-{i}.md"} for i in range(1, lessons + 1)],
    }


def question_data(code, number, kind="single", lessons=3):
    """Question `number` tests lesson ((number - 1) mod lessons) + 1. The right option is never
    the longest; a multiple-answer question has two right and two wrong options."""
    options = [{"text": "Jawaban benar", "correct": True},
               {"text": "Jawaban salah", "correct": False},
               {"text": "Jawaban keliru", "correct": False}]
    if kind == "multiple":
        options[1]["correct"] = True
        options.append({"text": "Jawaban lain", "correct": False})
    return {"key": f"{code}-{number:02d}", "type": kind,
            "lesson": f"pelajaran-{(number - 1) % lessons + 1}", "text": f"Pertanyaan {number}?",
            "options": options, "explanation": f"Penjelasan {number}."}


def write_module(root, code, lessons=3, questions=BANK_SIZE, per_attempt=3, position=1):
    directory = root / "modules" / code
    (directory / "lessons").mkdir(parents=True, exist_ok=True)
    data = module_data(code, lessons=lessons, per_attempt=per_attempt, position=position)
    for lesson in data["lessons"]:
        (directory / lesson["file"]).write_text(
            f"Isi {lesson['title']}.\n\n## Sumber\n\n- Kemenkes, 2024\n", encoding="utf-8")
    write_yaml(directory / "module.yaml", data)
    write_yaml(directory / "questions.yaml", {"questions": [
        question_data(code, n, "multiple" if n == 1 else "single", lessons)
        for n in range(1, questions + 1)]})
    return directory


#: libyaml's safe dumper and loader where PyYAML has them (its wheels do): the pure-Python ones
#: took a third of this file's time writing and reading the test trees.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def write_yaml(path, data):
    path.write_text(yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")


def read_yaml(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)


def edit_yaml(path, change):
    data = read_yaml(path)
    change(data)
    write_yaml(path, data)


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write_module(root, "gizi", position=1)
    write_module(root, "imunisasi", position=2)
    return root


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def module(code):
    return db.session.scalar(select(Module).where(Module.code == code))


def load_and_commit(root):
    report = load_content(root)
    db.session.commit()
    return report


# --- loading -------------------------------------------------------------------------

def test_first_load_creates_modules_lessons_and_questions_at_version_1(content):
    report = load_and_commit(content)

    assert [m.action for m in report.modules] == ["created", "created"]
    gizi = module("gizi")
    assert (gizi.title, gizi.position, gizi.version, gizi.pass_mark, gizi.questions_per_attempt) \
        == ("Modul gizi", 1, 1, 80, 3)
    assert [le.slug for le in gizi.lessons] == ["pelajaran-1", "pelajaran-2", "pelajaran-3"]
    assert gizi.lessons[0].body_markdown.startswith("Isi Pelajaran 1.")
    assert "<h2>Sumber</h2>" in gizi.lessons[0].body_html
    assert count(Question, Question.module_id == gizi.id, Question.is_active) == BANK_SIZE
    first = db.session.scalar(select(Question).where(Question.key == "gizi-01"))
    assert first.kind == "multiple" and first.revision == 1 and first.lesson_slug == "pelajaran-1"
    assert [(o.text, o.is_correct) for o in first.options] == [
        ("Jawaban benar", True), ("Jawaban salah", True), ("Jawaban keliru", False),
        ("Jawaban lain", False)]
    assert count(ContentLoad) == 1
    assert "gizi: created version 1" in report.describe()


def test_reload_of_same_content_changes_nothing(content):
    load_and_commit(content)
    before = {m.code: (m.version, m.content_hash, m.updated_at) for m in db.session.scalars(select(Module))}
    questions_before = count(Question)

    report = load_and_commit(content)

    assert [m.action for m in report.modules] == ["unchanged", "unchanged"]
    assert not report.changed
    assert "Nothing changed" in report.describe()
    after = {m.code: (m.version, m.content_hash, m.updated_at) for m in db.session.scalars(select(Module))}
    assert after == before
    assert count(Question) == questions_before
    assert count(ContentLoad) == 1


def test_changed_lesson_is_updated_in_place_and_module_version_goes_up(content):
    load_and_commit(content)
    user = factories.make_user()
    lesson = module("gizi").lessons[0]
    lesson_id = lesson.id
    db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson_id, read_at=factories.days_ago(1)))
    db.session.commit()
    (content / "modules/gizi/lessons/01-pelajaran-1.md").write_text("Isi baru.\n", encoding="utf-8")

    report = load_and_commit(content)

    assert report.by_code("gizi").action == "updated"
    assert report.by_code("gizi").lessons_updated == 1
    assert report.by_code("imunisasi").action == "unchanged"
    lesson = db.session.get(Lesson, lesson_id)
    assert lesson.body_markdown == "Isi baru.\n" and lesson.body_html == "<p>Isi baru.</p>"
    assert module("gizi").version == 2 and module("imunisasi").version == 1
    assert count(LessonProgress, LessonProgress.lesson_id == lesson_id) == 1
    assert count(ContentLoad) == 2


def test_lesson_removed_from_files_becomes_inactive_and_keeps_its_progress(content):
    load_and_commit(content)
    user = factories.make_user()
    removed = module("gizi").lessons[2]
    db.session.add(LessonProgress(user_id=user.id, lesson_id=removed.id))
    db.session.commit()
    edit_yaml(content / "modules/gizi/module.yaml", lambda d: d["lessons"].pop())
    edit_yaml(content / "modules/gizi/questions.yaml", lambda d: [
        q.update(lesson="pelajaran-1") for q in d["questions"] if q["lesson"] == "pelajaran-3"])

    report = load_and_commit(content)

    assert report.by_code("gizi").lessons_deactivated == 1
    assert [le.slug for le in module("gizi").lessons] == ["pelajaran-1", "pelajaran-2"]
    assert db.session.get(Lesson, removed.id).is_active is False
    assert count(LessonProgress, LessonProgress.lesson_id == removed.id) == 1


def test_changed_question_creates_new_revision_and_old_attempts_keep_theirs(content):
    edit_yaml(content / "modules/gizi/module.yaml",
              lambda d: d["quiz"].update(questions_per_attempt=BANK_SIZE))
    load_and_commit(content)
    user = factories.make_user()
    gizi = module("gizi")
    factories.read_all_lessons(user, gizi)
    attempt = quizzes.start_attempt(user, gizi)
    quizzes.submit_attempt(user, attempt, factories.answers_for(attempt))
    db.session.commit()
    old = db.session.scalar(select(Question).where(Question.key == "gizi-02"))

    def reword(data):
        data["questions"][1]["text"] = "Pertanyaan dua, kalimat baru?"
    edit_yaml(content / "modules/gizi/questions.yaml", reword)
    report = load_and_commit(content)

    assert report.by_code("gizi").questions_revised == 1
    revisions = db.session.scalars(select(Question).where(Question.key == "gizi-02")
                                   .order_by(Question.revision)).all()
    assert [(q.revision, q.is_active, q.text) for q in revisions] == [
        (1, False, "Pertanyaan 2?"), (2, True, "Pertanyaan dua, kalimat baru?")]
    assert revisions[0].id == old.id
    db.session.expire_all()
    attempt = db.session.get(type(attempt), attempt.id)
    asked = {aq.question.key: aq.question for aq in attempt.questions}
    assert asked["gizi-02"].text == "Pertanyaan 2?" and asked["gizi-02"].revision == 1
    assert attempt.module_version == 1 and module("gizi").version == 2
    assert attempt.score_percent == 100

    fresh = quizzes.start_attempt(user, module("gizi"))
    assert fresh.module_version == 2
    assert {aq.question.key: aq.question.revision for aq in fresh.questions}["gizi-02"] == 2


def test_removed_question_becomes_inactive(content):
    load_and_commit(content)
    edit_yaml(content / "modules/gizi/questions.yaml", lambda d: d["questions"].pop())

    report = load_and_commit(content)

    assert report.by_code("gizi").questions_deactivated == 1
    assert db.session.scalar(select(Question.is_active).where(Question.key == f"gizi-{BANK_SIZE}")) \
        is False
    assert count(Question, Question.module_id == module("gizi").id, Question.is_active) == BANK_SIZE - 1


def test_module_removed_from_files_becomes_inactive_and_returns_with_a_new_version(content):
    load_and_commit(content)
    hidden = content.parent / "hidden"
    (content / "modules/imunisasi").rename(hidden)

    report = load_and_commit(content)

    assert report.by_code("imunisasi").action == "deactivated"
    assert module("imunisasi").is_active is False
    assert count(Question, Question.module_id == module("imunisasi").id) == BANK_SIZE  # nothing deleted

    hidden.rename(content / "modules/imunisasi")
    report = load_and_commit(content)
    assert report.by_code("imunisasi").action == "updated"
    assert module("imunisasi").is_active is True and module("imunisasi").version == 2
    assert count(Question, Question.module_id == module("imunisasi").id) == BANK_SIZE  # same revisions


def test_broken_content_file_is_reported_with_file_and_reason_and_nothing_is_loaded(content):
    def two_correct(data):
        data["questions"][1]["options"][1]["correct"] = True  # gizi-02 is single-answer
    edit_yaml(content / "modules/gizi/questions.yaml", two_correct)

    with pytest.raises(ContentError) as caught:
        load_content(content)

    assert str(caught.value) == (
        "content/modules/gizi/questions.yaml: question gizi-02: a single-answer question needs "
        "exactly one correct option (found 2)")
    assert count(Module) == count(Lesson) == count(Question) == count(ContentLoad) == 0


def test_broken_change_leaves_the_loaded_content_as_it_was(content):
    load_and_commit(content)
    (content / "modules/imunisasi/lessons/02-pelajaran-2.md").write_text("Baru.\n", encoding="utf-8")
    (content / "modules/gizi/lessons/03-pelajaran-3.md").unlink()

    with pytest.raises(ContentError) as caught:
        load_content(content)
    db.session.rollback()

    assert "content/modules/gizi/module.yaml: lesson pelajaran-3: file " \
           "'lessons/03-pelajaran-3.md' not found" in str(caught.value)
    assert module("imunisasi").version == 1
    assert "Isi Pelajaran 2." in module("imunisasi").lessons[1].body_markdown
    assert count(ContentLoad) == 1


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return change


DELETE = object()
BROKEN = [
    # (file, change, expected message)
    ("module.yaml", _set(["title"], DELETE), "content/modules/gizi/module.yaml: missing key 'title'"),
    ("module.yaml", _set(["code"], "nutrisi"),
     "content/modules/gizi/module.yaml: code 'nutrisi' must equal the directory name 'gizi'"),
    ("module.yaml", _set(["lessons", 1, "slug"], "pelajaran-1"),
     "content/modules/gizi/module.yaml: lesson pelajaran-1: duplicate slug"),
    ("module.yaml", _set(["lessons", 0, "file"], "lessons/tidak-ada.md"),
     "content/modules/gizi/module.yaml: lesson pelajaran-1: file 'lessons/tidak-ada.md' not found"),
    ("module.yaml", _set(["lessons", 0, "file"], "../../../../etc/passwd"),
     "content/modules/gizi/module.yaml: lesson pelajaran-1: file '../../../../etc/passwd' is "
     "outside the module directory"),
    ("module.yaml", _set(["quiz", "questions_per_attempt"], BANK_SIZE + 1),
     f"content/modules/gizi/module.yaml: quiz: draws {BANK_SIZE + 1} questions per attempt but "
     f"questions.yaml has only {BANK_SIZE}"),
    ("module.yaml", _set(["quiz", "pass_mark"], 0),
     "content/modules/gizi/module.yaml: quiz: 'pass_mark' must be a whole number, 1–100"),
    ("module.yaml", _set(["quiz", "pass_mark"], 101),
     "content/modules/gizi/module.yaml: quiz: 'pass_mark' must be a whole number, 1–100"),
    ("module.yaml", _set(["lessons", 0, "title"], " "),
     "content/modules/gizi/module.yaml: lesson pelajaran-1: 'title' must be a non-empty text"),
    ("questions.yaml", _set(["questions", 2, "key"], "gizi-01"),
     "content/modules/gizi/questions.yaml: question gizi-01: duplicate key"),
    ("questions.yaml", _set(["questions", 0, "options", 0, "correct"], "ya"),
     "content/modules/gizi/questions.yaml: question gizi-01: option 1: 'correct' must be true or false"),
    ("questions.yaml", _set(["questions", 1, "options"], [{"text": "Satu-satunya", "correct": True}]),
     "content/modules/gizi/questions.yaml: question gizi-02: needs at least 2 options"),
    ("questions.yaml", _set(["questions", 1, "text"], ""),
     "content/modules/gizi/questions.yaml: question gizi-02: 'text' must be a non-empty text"),
    ("questions.yaml", _set(["questions", 1, "explanation"], DELETE),
     "content/modules/gizi/questions.yaml: question gizi-02: missing key 'explanation'"),
    ("questions.yaml", _set(["questions", 1, "type"], "essay"),
     "content/modules/gizi/questions.yaml: question gizi-02: type must be 'single' or 'multiple'"),
    ("questions.yaml", _set(["questions", 1, "options", 0, "corect"], True),
     "content/modules/gizi/questions.yaml: question gizi-02: option 1: unknown key 'corect'"),
    ("questions.yaml", _set(["questions", 1, "lesson"], DELETE),
     "content/modules/gizi/questions.yaml: question gizi-02: missing key 'lesson'"),
]


@pytest.mark.parametrize("filename,change,expected", BROKEN, ids=[b[2].split(": ", 1)[1] for b in BROKEN])
def test_each_broken_rule_names_the_file_and_the_reason(content, filename, change, expected):
    edit_yaml(content / "modules/gizi" / filename, change)

    with pytest.raises(ContentError) as caught:
        load_content(content)

    assert expected in str(caught.value)
    assert count(Module) == 0


def test_multiple_answer_question_without_a_correct_option_is_refused(content):
    def none_correct(data):
        for option in data["questions"][0]["options"]:
            option["correct"] = False
    edit_yaml(content / "modules/gizi/questions.yaml", none_correct)

    with pytest.raises(ContentError) as caught:
        load_content(content)

    assert "question gizi-01: a multiple-answer question needs at least one correct option" \
        in str(caught.value)


# --- the question bank's countable rules (issue 11 point 4, bank_rules.py) ---------------

def problems_of(root):
    with pytest.raises(ContentError) as caught:
        load_content(root)
    assert count(Module) == 0
    return caught.value.problems


def test_every_question_names_a_lesson_of_its_module(content):
    edit_yaml(content / "modules/gizi/questions.yaml", _set(["questions", 1, "lesson"], "tidak-ada"))

    assert problems_of(content) == [
        "content/modules/gizi/questions.yaml: question gizi-02: lesson 'tidak-ada' is not a lesson "
        "of module.yaml (lessons: pelajaran-1, pelajaran-2, pelajaran-3)"]


def test_every_lesson_has_at_least_4_questions(content):
    def leave_three_on_lesson_3(data):
        on_lesson_3 = [q for q in data["questions"] if q["lesson"] == "pelajaran-3"]
        for question in on_lesson_3[3:]:
            question["lesson"] = "pelajaran-1"
    edit_yaml(content / "modules/gizi/questions.yaml", leave_three_on_lesson_3)

    assert problems_of(content) == [
        "content/modules/gizi/questions.yaml: lesson pelajaran-3: 3 questions test it; every lesson "
        "needs at least 4"]


def test_a_required_module_has_at_least_40_questions(tmp_path):
    root = tmp_path / "content"
    write_module(root, "gizi", questions=39)

    assert problems_of(root) == [
        "content/modules/gizi/questions.yaml: 39 questions; a module the certificate requires "
        "needs at least 40"]


def test_an_optional_module_needs_only_4_questions_per_lesson(tmp_path):
    root = tmp_path / "content"
    write_module(root, "kespro", lessons=3, questions=12)
    edit_yaml(root / "modules/kespro/module.yaml", _set(["required"], False))

    load_and_commit(root)

    assert count(Question, Question.module_id == module("kespro").id) == 12


def make_right_option_longest(keys):
    def change(data):
        for question in data["questions"]:
            if question["key"] in keys:
                question["options"][0]["text"] = "Jawaban benar yang paling panjang"
    return change


def test_the_right_option_is_the_longest_in_at_most_35_percent_of_single_answer_questions(content):
    # 41 single-answer questions (gizi-02 … gizi-42): 35% allows 14.
    longest = [f"gizi-{n:02d}" for n in range(2, 17)]
    edit_yaml(content / "modules/gizi/questions.yaml", make_right_option_longest(longest))

    assert problems_of(content) == [
        "content/modules/gizi/questions.yaml: the right option is strictly the longest in 15 of 41 "
        "single-answer questions (36%; at most 35%): make it not the longest in at least 1 of "
        + ", ".join(longest)]

    edit_yaml(content / "modules/gizi/questions.yaml",
              _set(["questions", 1, "options", 0, "text"], "Benar"))  # gizi-02: now the shortest
    load_and_commit(content)  # 14 of 41 is within the rule
    assert count(Question, Question.module_id == module("gizi").id) == BANK_SIZE


def test_an_option_as_long_as_the_right_one_makes_it_not_the_longest(content):
    def tie_every_single_answer(data):
        for question in data["questions"][1:]:
            question["options"][0]["text"] = "Jawaban benar yang paling panjang"  # 33 characters
            question["options"][2]["text"] = "Jawaban keliru yang sama panjang."  # 33 characters
    edit_yaml(content / "modules/gizi/questions.yaml", tie_every_single_answer)

    load_and_commit(content)

    assert count(Question, Question.module_id == module("gizi").id) == BANK_SIZE


def test_a_multiple_answer_question_has_at_least_2_wrong_options(content):
    edit_yaml(content / "modules/gizi/questions.yaml", lambda d: d["questions"][0]["options"].pop())

    assert problems_of(content) == [
        "content/modules/gizi/questions.yaml: question gizi-01: a multiple-answer question needs at "
        "least 2 wrong options (found 1)"]


def test_every_bank_problem_of_every_module_is_reported_at_once(content):
    edit_yaml(content / "modules/gizi/questions.yaml", lambda d: d["questions"][0]["options"].pop())
    edit_yaml(content / "modules/imunisasi/questions.yaml",
              lambda d: d["questions"][3].update(lesson="pelajaran-9"))
    (content / "modules/imunisasi/lessons/02-pelajaran-2.md").unlink()

    assert problems_of(content) == [
        "content/modules/gizi/questions.yaml: question gizi-01: a multiple-answer question needs at "
        "least 2 wrong options (found 1)",
        "content/modules/imunisasi/module.yaml: lesson pelajaran-2: file "
        "'lessons/02-pelajaran-2.md' not found",
    ]  # imunisasi's lesson tags are checked once its lessons are readable


def test_changing_only_a_lesson_tag_updates_the_current_row_without_a_new_revision(content):
    load_and_commit(content)
    before = db.session.scalar(select(Question).where(Question.key == "gizi-04"))
    assert before.lesson_slug == "pelajaran-1"

    edit_yaml(content / "modules/gizi/questions.yaml", _set(["questions", 3, "lesson"], "pelajaran-2"))
    report = load_and_commit(content)

    change = report.by_code("gizi")
    assert (change.action, change.questions_retagged, change.questions_revised) == ("flagged", 1, 0)
    assert "gizi: version 1 kept — questions: 1 retagged" in report.describe()
    rows = db.session.scalars(select(Question).where(Question.key == "gizi-04")).all()
    assert [(q.id, q.revision, q.lesson_slug) for q in rows] == [(before.id, 1, "pelajaran-2")]
    assert module("gizi").version == 1 and count(ContentLoad) == 2
    assert [m.action for m in load_and_commit(content).modules] == ["unchanged", "unchanged"]


def test_rows_loaded_before_lesson_tags_get_their_lesson_on_the_next_load(content):
    load_and_commit(content)
    db.session.execute(Question.__table__.update().values(lesson_slug=None))
    db.session.commit()

    report = load_and_commit(content)

    assert report.by_code("gizi").questions_retagged == BANK_SIZE
    assert module("gizi").version == 1
    assert count(Question, Question.lesson_slug.is_(None)) == 0
    assert db.session.scalar(select(Question.lesson_slug).where(Question.key == "gizi-03")) \
        == "pelajaran-3"


def test_yaml_syntax_error_is_reported_with_its_line(content):
    path = content / "modules/imunisasi/questions.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3] + " : : ["
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load_content(content)

    message = str(caught.value)
    assert message.startswith("content/modules/imunisasi/questions.yaml: line ")
    assert "YAML syntax error" in message
    assert count(Module) == 0


def test_every_problem_in_every_file_is_reported_at_once(content):
    (content / "modules/gizi/questions.yaml").unlink()
    edit_yaml(content / "modules/imunisasi/module.yaml", _set(["position"], "dua"))

    with pytest.raises(ContentError) as caught:
        load_content(content)

    assert caught.value.problems == [
        "content/modules/gizi/questions.yaml: file not found",
        "content/modules/imunisasi/module.yaml: 'position' must be a whole number, 0 or more",
    ]


def test_lesson_html_is_sanitised():
    source = "\n".join([
        "## Judul",
        "",
        "Teks <script>alert('x')</script> dan <img src=x onerror=alert(1)> gambar.",
        "",
        "<iframe src='https://contoh.test'></iframe><style>p{color:red}</style>",
        "",
        '<p onclick="alert(1)" style="color:red">Klik</p>',
        "",
        "[jahat](javascript:alert(1)) dan [baik](https://kemkes.go.id) dan **tebal** *miring*",
        "",
        "| A | B |",
        "|:--|--:|",
        "| 1 | 2 |",
        "",
        "# Judul besar",
    ])

    html = render_markdown(source)

    for forbidden in ("<script", "alert('x')", "<img", "onerror", "<iframe", "<style", "color:red",
                      "onclick", "style=", "javascript:", "<h1"):
        assert forbidden not in html
    assert "<h2>Judul</h2>" in html
    assert '<a href="https://kemkes.go.id" rel="noopener noreferrer">baik</a>' in html
    assert "<strong>tebal</strong> <em>miring</em>" in html
    assert "<table>" in html and "<th>A</th>" in html and "<td>2</td>" in html


def test_real_content_directory_loads_at_least_three_complete_modules():
    report = load_content(BASE_DIR / "content")

    modules = db.session.scalars(select(Module).where(Module.is_active)).all()
    assert len(modules) >= 3, report.describe()
    assert {"gizi", "imunisasi", "perilaku_keluarga"} <= {m.code for m in modules}
    for m in modules:
        assert len(m.lessons) >= 4, m.code
        questions = db.session.scalars(select(Question).where(
            Question.module_id == m.id, Question.is_active)).all()
        if m.required:
            assert len(questions) >= MIN_QUESTIONS_REQUIRED_MODULE, m.code
        assert {q.lesson_slug for q in questions} == {le.slug for le in m.lessons}, m.code
        assert all(q.explanation.strip() for q in questions), m.code
        assert all("<script" not in le.body_html for le in m.lessons)


def test_content_load_command_reports_what_changed_and_refuses_broken_files(runner, content):
    first = runner.invoke(args=["content", "load", "--dir", str(content)])
    assert first.exit_code == 0, first.output
    assert "gizi: created version 1" in first.output

    second = runner.invoke(args=["content", "load", "--dir", str(content)])
    assert "gizi: unchanged (version 1)" in second.output
    assert "Nothing changed" in second.output

    (content / "modules/gizi/module.yaml").write_text("code: gizi\ntitle: [unclosed\n", encoding="utf-8")
    broken = runner.invoke(args=["content", "load", "--dir", str(content)])
    assert broken.exit_code == 1
    assert "content/modules/gizi/module.yaml: line" in broken.output
    assert count(ContentLoad) == 1


# --- which modules the certificate requires (issue 11 point 3) ----------------------------

def test_a_module_is_required_unless_its_file_says_required_false(content):
    edit_yaml(content / "modules/imunisasi/module.yaml", _set(["required"], False))

    load_and_commit(content)

    assert module("gizi").required is True  # no key: required
    assert module("imunisasi").required is False


@pytest.mark.parametrize("value", ["ya", "true", 1, None, ["true"]])
def test_the_loader_refuses_a_required_that_is_not_true_or_false(content, value):
    edit_yaml(content / "modules/gizi/module.yaml", _set(["required"], value))

    with pytest.raises(ContentError) as caught:
        load_content(content)

    assert "content/modules/gizi/module.yaml: 'required' must be true or false" in str(caught.value)
    assert count(Module) == 0


def test_reloading_content_with_required_is_idempotent(content):
    edit_yaml(content / "modules/gizi/module.yaml", _set(["required"], True))
    edit_yaml(content / "modules/imunisasi/module.yaml", _set(["required"], False))
    load_and_commit(content)
    before = {m.code: (m.version, m.required, m.updated_at) for m in db.session.scalars(select(Module))}

    report = load_and_commit(content)

    assert [m.action for m in report.modules] == ["unchanged", "unchanged"]
    assert not report.changed
    after = {m.code: (m.version, m.required, m.updated_at) for m in db.session.scalars(select(Module))}
    assert after == before
    assert count(ContentLoad) == 1


def test_making_a_module_optional_keeps_its_version_and_is_recorded(content):
    load_and_commit(content)

    edit_yaml(content / "modules/imunisasi/module.yaml", _set(["required"], False))
    report = load_and_commit(content)

    imunisasi = module("imunisasi")
    assert (imunisasi.required, imunisasi.version) == (False, 1)
    assert report.by_code("imunisasi").action == "flagged"
    assert report.by_code("gizi").action == "unchanged"
    assert "imunisasi: version 1 kept — optional (not required for the certificate)" in report.describe()
    assert count(ContentLoad) == 2
    assert [m.action for m in load_and_commit(content).modules] == ["unchanged", "unchanged"]


def test_the_three_mission_modules_say_required_true_explicitly():
    for code in ("gizi", "imunisasi", "perilaku_keluarga"):
        assert read_yaml(BASE_DIR / "content/modules" / code / "module.yaml")["required"] is True
