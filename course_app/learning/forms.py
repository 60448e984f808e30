"""Forms of the learning pages. They check shape only; the rules live in the services."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

ANSWER_FIELD = re.compile(r"q-([0-9]{1,12})")
OPTION_ID = re.compile(r"[0-9]{1,12}")


class ActionForm(FlaskForm):
    """A button that changes something (mark read, start a quiz): only the CSRF token."""


class AttemptForm(FlaskForm):
    """The quiz form. Its questions are drawn per attempt, so the fields are read by name:
    `q-<attempt question id>` with one value (radio) or several (checkboxes), each an option id.
    """

    def answers(self, formdata):
        """{attempt question id: [option ids]} or AnswerShapeError for anything malformed."""
        answers = {}
        for name in formdata:
            match = ANSWER_FIELD.fullmatch(name)
            if match is None:
                if name.startswith("q-"):
                    raise AnswerShapeError()
                continue  # csrf_token and the like
            values = formdata.getlist(name)
            if not all(OPTION_ID.fullmatch(v) for v in values):
                raise AnswerShapeError()
            answers[int(match.group(1))] = [int(v) for v in values]
        return answers


class AnswerShapeError(ValueError):
    message = _l("Jawaban yang dikirim tidak dapat dibaca. Muat ulang halaman, lalu coba lagi.")
