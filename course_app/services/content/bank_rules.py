"""The countable rules of a module's question bank (issue 11 point 4; product §4: a bank of at
least 40 questions per module, each tagged with its lesson, drawn stratified by lesson).

Issue 11 asks that a new user who only guesses — always the longest option, or every option
but the odd one out — never passes. What makes such guessing pay can be counted, so the loader
refuses it and names the offending key. What cannot be counted (at least 40% of questions are
scenarios set in Kupang life, wrong options that are plausible) is a writing rule in
content/README.md, for the reviewers.

The numbers live here and only here; messages are for the operator, in English.
"""

#: A module the certificate requires holds at least this many questions (product §4).
MIN_QUESTIONS_REQUIRED_MODULE = 40
#: Every lesson, in every module (required or optional), is tested by at least this many
#: questions, so that each attempt can draw from every lesson without repeating the same few.
MIN_QUESTIONS_PER_LESSON = 4
#: The right option may be strictly the longest (in characters) in at most this percentage of
#: a module's single-answer questions; above it, "pick the longest" beats reading.
MAX_LONGEST_RIGHT_OPTION_PERCENT = 35
#: A multiple-answer question has at least this many wrong options, so that "every option but
#: the odd one out" is not a sure answer.
MIN_WRONG_OPTIONS_MULTIPLE = 2


def check_question_bank(problem, path, questions, lesson_slugs, required):
    """Report every broken rule of one module's bank through `problem(path, reason)`.

    `questions` are the checked QuestionSpecs of `path` (questions.yaml); `lesson_slugs` are
    module.yaml's lessons, or None when module.yaml's lessons are broken (the lesson rules then
    wait until they can be checked); `required` says whether the certificate requires the module.
    """
    for question in questions:
        if lesson_slugs is not None and question.lesson not in lesson_slugs:
            problem(path, f"question {question.key}: lesson '{question.lesson}' is not a lesson "
                          f"of module.yaml (lessons: {', '.join(lesson_slugs)})")
        if question.kind == "multiple":
            wrong = sum(1 for option in question.options if not option.correct)
            if wrong < MIN_WRONG_OPTIONS_MULTIPLE:
                problem(path, f"question {question.key}: a multiple-answer question needs at "
                              f"least {MIN_WRONG_OPTIONS_MULTIPLE} wrong options (found {wrong})")
    if lesson_slugs is not None:
        for slug in lesson_slugs:
            tested = sum(1 for question in questions if question.lesson == slug)
            if tested < MIN_QUESTIONS_PER_LESSON:
                problem(path, f"lesson {slug}: {tested} questions test it; every lesson needs at "
                              f"least {MIN_QUESTIONS_PER_LESSON}")
    if required and len(questions) < MIN_QUESTIONS_REQUIRED_MODULE:
        problem(path, f"{len(questions)} questions; a module the certificate requires needs at "
                      f"least {MIN_QUESTIONS_REQUIRED_MODULE}")
    _check_longest_right_option(problem, path, questions)


def right_option_is_longest(question):
    """True when the right option of a single-answer question is strictly the longest one."""
    right = next(option for option in question.options if option.correct)
    return all(len(right.text) > len(option.text) for option in question.options
               if option is not right)


def _check_longest_right_option(problem, path, questions):
    singles = [question for question in questions if question.kind == "single"]
    longest = [question.key for question in singles if right_option_is_longest(question)]
    allowed = MAX_LONGEST_RIGHT_OPTION_PERCENT * len(singles) // 100
    if len(longest) > allowed:
        problem(path, f"the right option is strictly the longest in {len(longest)} of "
                      f"{len(singles)} single-answer questions ({100 * len(longest) // len(singles)}%; "
                      f"at most {MAX_LONGEST_RIGHT_OPTION_PERCENT}%): make it not the longest in at "
                      f"least {len(longest) - allowed} of {', '.join(longest)}")
