"""Tried as a new user would (issue 11 point 4): guessing must not pass.

A participant who never reads and answers every question by the two tricks the issue names —
the longest option of a single-answer question, every option but the odd one out (here: the
shortest) of a multiple-answer one — must stay well below the pass mark in every module of the
real content. Over the whole bank that guesser's expected score must be under 60%, so that
three attempts of about ten questions each do not pass by luck either.

The questions are read straight from content/modules/*/questions.yaml (not through the loader),
so this reports the guessing score even while some other rule of the files is still broken.
"""
import random
from pathlib import Path

import pytest
import yaml

from config import BASE_DIR
from course_app.services import content, learning, quizzes

from .. import factories

#: The guesser's expected score over a module's whole bank stays below this (issue 11).
GUESSING_CEILING_PERCENT = 60

MODULE_DIRS = sorted(p for p in (Path(BASE_DIR) / "content" / "modules").iterdir()
                     if p.is_dir() and not p.name.startswith((".", "_")))


def chance_the_guess_is_right(question):
    """The guesser's chance on one question; ties between options are broken at random."""
    options = question["options"]
    if question["type"] == "single":
        longest = max(len(o["text"]) for o in options)
        picked = [o for o in options if len(o["text"]) == longest]
        return sum(1 for o in picked if o["correct"]) / len(picked)
    shortest = min(len(o["text"]) for o in options)
    dropped = [o for o in options if len(o["text"]) == shortest]
    right = sum(1 for odd in dropped if all(o["correct"] is (o is not odd) for o in options))
    return right / len(dropped)


def guessing_score(questions):
    return 100 * sum(chance_the_guess_is_right(q) for q in questions) / len(questions)


def test_the_guesser_scores_100_on_a_bank_written_for_guessing():
    single = {"type": "single", "options": [{"text": "Jawaban paling panjang", "correct": True},
                                            {"text": "Pendek", "correct": False}]}
    multiple = {"type": "multiple", "options": [{"text": "Benar satu", "correct": True},
                                                {"text": "Benar dua", "correct": True},
                                                {"text": "Aneh", "correct": False}]}
    tied = {"type": "single", "options": [{"text": "Sama", "correct": True},
                                          {"text": "Beda", "correct": False}]}

    assert guessing_score([single, multiple]) == 100
    assert guessing_score([tied]) == 50


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=[p.name for p in MODULE_DIRS])
def test_guessing_the_longest_option_and_all_but_the_odd_one_does_not_pass(module_dir):
    bank = module_dir / "questions.yaml"
    assert bank.is_file(), f"{module_dir.name}: no questions.yaml yet"
    questions = yaml.safe_load(bank.read_text(encoding="utf-8"))["questions"]

    score = guessing_score(questions)

    assert score < GUESSING_CEILING_PERCENT, (
        f"{module_dir.name}: guessing scores {score:.0f}% over {len(questions)} questions")


def guess(attempt_question):
    """What the guesser picks among the options as shown (the first one on a tie)."""
    shown = attempt_question.ordered_options
    if attempt_question.question.kind == "single":
        return [max(shown, key=lambda o: len(o.text)).id]
    odd_one = min(shown, key=lambda o: len(o.text))
    return [o.id for o in shown if o is not odd_one]


def test_three_guessed_attempts_at_each_real_quiz_all_fail(app, monkeypatch):
    """Issue 11: "take each quiz three times answering only by guessing the longest option and
    'all but the odd one' — it must not pass." Through the real engine: stratified draws and
    shuffled options (seeded, so the test is repeatable)."""
    monkeypatch.setitem(app.config, "QUIZ_COOLDOWN_SECONDS", 0)
    content.load_content(Path(BASE_DIR) / "content")
    user = factories.make_user()
    results = {}
    for module in learning.list_modules():
        factories.read_all_lessons(user, module)
        for seed in range(3):
            attempt = quizzes.start_attempt(user, module, rng=random.Random(seed))
            quizzes.submit_attempt(user, attempt, {aq.id: guess(aq) for aq in attempt.questions})
            results.setdefault(module.code, []).append((attempt.score_percent, attempt.passed))

    assert set(results) == {p.name for p in MODULE_DIRS}
    assert not any(passed for tries in results.values() for _, passed in tries), results
