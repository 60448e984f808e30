"""Cross-feature reactions are named events wired in one place (STYLE habit 11, issue 10
point 2): `course_app/wiring.py` lists every event and its receivers; nothing connects a
receiver on import, and a second app in the process does not make a reaction run twice."""
import ast
from pathlib import Path

from config import TestingConfig
from course_app import create_app, wiring
from course_app.services import events

APP_DIR = Path(__file__).resolve().parents[2] / "course_app"


def all_events():
    return {name: signal for name, signal in vars(events).items()
            if isinstance(signal, type(events.quiz_passed))}


def receivers_of(signal):
    return list(signal.receivers_for(object()))


def test_every_event_has_exactly_the_receivers_of_the_wiring_table(app):
    table = {}
    for signal, receiver in wiring.RECEIVERS:
        table.setdefault(signal, []).append(receiver)
    assert set(all_events().values()) <= set(table), "an event nobody listens to: add it to wiring.RECEIVERS"
    for name, signal in all_events().items():
        assert receivers_of(signal) == table[signal], name


def test_a_second_app_in_the_process_does_not_make_a_reaction_run_twice(app, tmp_path):
    class Other(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'other.sqlite3'}"

    create_app(Other)
    wiring.register(app)

    for name, signal in all_events().items():
        assert len(receivers_of(signal)) == len([r for s, r in wiring.RECEIVERS if s is signal]), name


def _name(node):
    """`quiz_passed` for both `events.quiz_passed` and `quiz_passed`."""
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)


def test_no_module_connects_a_receiver_when_it_is_imported():
    offenders = []
    for path in APP_DIR.rglob("*.py"):
        if path.name == "wiring.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("connect", "connect_via") \
                    and _name(node.value) in all_events():
                offenders.append(f"{path.relative_to(APP_DIR)}:{node.lineno}")
    assert offenders == []
