"""The repository's README and docs stand alone (issue 12, point 6): no link or reference to
notes outside the repository, and every relative link in them points at a file that exists."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", "instance", "node_modules", "screenshots", "results", "__pycache__"}
TEXT = {".py", ".md", ".html", ".txt", ".js", ".css", ".yaml", ".yml", ".toml", ".cfg", ".csv", ""}
OUTSIDE = re.compile(r"\.\./shared|\bDESIGN\b")


def repository_files():
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.is_file() and not parts & SKIP and path.suffix in TEXT and path != Path(__file__):
            yield path


def test_nothing_in_the_repository_points_at_notes_outside_it():
    offenders = []
    for path in repository_files():
        text = path.read_text(errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_every_relative_link_in_the_readme_and_docs_exists():
    broken = []
    for page in [ROOT / "README.md", ROOT / "content" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        prose = re.sub(r"```.*?```|`[^`]*`", "", page.read_text(), flags=re.S)  # examples aren't links
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", prose):
            if re.match(r"[a-z]+:", target):
                continue  # a URL
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert broken == []
