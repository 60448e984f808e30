"""Dependencies are chosen, not collected (STYLE.md habit 10): every third-party module the code
imports is a direct requirement, and the locks install exactly the pinned requirements.

A package that arrives only as someone else's dependency (Werkzeug through Flask, say) can change
or vanish when that package moves on; listing it pins the version the code was written against.
"""
import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [ROOT / "course_app", ROOT / "tests", ROOT / "bench", ROOT / "config.py"]
FIRST_PARTY = {"course_app", "config", "tests", "bench"}
REQUIREMENT_FILES = {"requirements.txt": "requirements.lock",
                     "requirements-dev.txt": "requirements-dev.lock"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:==\s*([^\s;#]+))?")


def canonical(name):
    """PEP 503 name: `Flask_Babel` and `flask-babel` are the same distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path):
    """{distribution: version} of the `name==version` lines of a requirements or lock file."""
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = PIN.match(line)
        if match and not line.startswith("-"):
            pins[canonical(match.group(1))] = match.group(2)
    return pins


def imported_top_level_modules():
    """{top-level module: [file:line, ...]} for every absolute import in the scanned code."""
    found = {}
    files = [path for root in SCANNED for path in ([root] if root.is_file() else root.rglob("*.py"))]
    assert len(files) > 50, "the scan found too few files to be looking in the right place"
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(
                    f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_imported_third_party_module_is_a_listed_requirement():
    listed = set(pinned("requirements.txt")) | set(pinned("requirements-dev.txt"))
    distributions = importlib.metadata.packages_distributions()
    unlisted = {}
    for module, places in sorted(imported_top_level_modules().items()):
        if module in sys.stdlib_module_names or module in FIRST_PARTY:
            continue
        provided_by = {canonical(name) for name in distributions.get(module, [])}
        if not provided_by & listed:
            unlisted[module] = (sorted(provided_by) or ["<not installed>"], places[:3])
    assert unlisted == {}, (
        "imported but not listed in requirements.txt / requirements-dev.txt "
        "(module: (distribution, where)): " + repr(unlisted))


def test_flask_libraries_the_code_imports_are_pinned_directly():
    runtime = pinned("requirements.txt")
    for distribution in ("werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker"):
        assert runtime.get(distribution), f"{distribution} is imported by course_app/ but not pinned"


@pytest.mark.parametrize("requirements, lock", REQUIREMENT_FILES.items())
def test_the_lock_installs_every_requirement_at_its_pinned_version(requirements, lock):
    """A requirement edited without `make lock` would never be installed: the Makefile installs
    from the lock only."""
    locked = pinned(lock)
    for distribution, version in pinned(requirements).items():
        assert distribution in locked, f"{distribution} is in {requirements} but not in {lock}: run make lock"
        if version:
            assert locked[distribution] == version, (
                f"{distribution}: {requirements} pins {version}, {lock} has {locked[distribution]}: run make lock")


@pytest.mark.parametrize("lock", REQUIREMENT_FILES.values())
def test_every_locked_package_carries_a_hash(lock):
    """`pip install --require-hashes` refuses a lock with one unhashed line; finding it here is
    kinder than a failed install on a fresh clone."""
    hashes = {}
    for line in (ROOT / lock).read_text().splitlines():
        if PIN.match(line):
            package = line.split()[0]
            hashes[package] = 0
        elif line.strip().startswith("--hash=sha256:"):
            hashes[package] += 1
    assert len(hashes) > 30
    assert [package for package, count in hashes.items() if count == 0] == []


def test_the_runtime_lock_agrees_with_the_dev_lock():
    runtime, dev = pinned("requirements.lock"), pinned("requirements-dev.lock")
    disagreements = {name: (version, dev.get(name)) for name, version in runtime.items()
                     if dev.get(name) != version}
    assert disagreements == {}
