"""Access matrix of the letters feature: participant pages and the reviewers' desk (see access.py).

The desk is for reviewers only — admins included in "everyone else" (they manage accounts,
not letters) — except the quizzes' item statistics and the programme's statistics (aggregates),
which admins see too. A
letter's file answers its owner and reviewers; anyone else gets 404.
"""
import pytest

from course_app.extensions import db

from .. import factories
from .access import NOT_FOUND, check_row, one_user_per_role, only

MATRIX = [
    ("GET", "/surat/", only("participant")),
    ("GET", "/surat/unggah", only("participant")),
    ("POST", "/surat/unggah", only("participant")),
    ("GET", "/surat/{letter}/berkas", only("participant", "reviewer", others=NOT_FOUND)),
    ("GET", "/tinjau/", only("reviewer")),
    ("GET", "/tinjau/surat/{letter}", only("reviewer")),
    ("POST", "/tinjau/surat/{letter}/setujui", only("reviewer")),
    ("POST", "/tinjau/surat/{letter}/tolak", only("reviewer")),
    ("GET", "/tinjau/pasangan", only("reviewer")),
    # Item statistics of the quizzes: staff (reviewers and admins), aggregates only.
    ("GET", "/tinjau/statistik-soal", only("reviewer", "admin")),
    ("GET", "/tinjau/statistik-soal/{module}", only("reviewer", "admin")),
    ("GET", "/tinjau/statistik-soal/{module}/csv", only("reviewer", "admin")),
    # The programme's numbers (issue 12 point 5): staff, aggregates only.
    ("GET", "/tinjau/statistik", only("reviewer", "admin")),
    ("GET", "/tinjau/statistik?publikasi=y", only("reviewer", "admin")),
    ("GET", "/tinjau/statistik/csv", only("reviewer", "admin")),
    ("GET", "/tinjau/statistik/xlsx", only("reviewer", "admin")),
]

# Another participant's letter does not exist for this participant (product §8).
OBJECT_LEVEL = [
    ("GET", "/surat/{other_letter}/berkas"),
    ("GET", "/surat/{other_letter}/berkas?unduh=1"),
]


@pytest.fixture
def world():
    owner = factories.make_user(roles=("participant",))
    users = one_user_per_role(participant=owner)
    letter = factories.make_letter(owner, status="pending")
    other_letter = factories.make_letter(factories.make_user(), status="pending")
    module = factories.make_module(lessons=1, questions=1, questions_per_attempt=1)
    factories.make_answered_attempt(owner, module,
                                    {q: q.options[:1] for q in factories.questions_of(module)})
    db.session.commit()
    return {"users": users, "ids": {"letter": letter.id, "other_letter": other_letter.id,
                                    "module": module.code}}


@pytest.mark.parametrize("method,template,expected", MATRIX, ids=[f"{m} {t}" for m, t, _ in MATRIX])
def test_access_matrix(app, world, method, template, expected):
    check_row(app, world["users"], method, template.format(**world["ids"]), expected)


@pytest.mark.parametrize("method,template", OBJECT_LEVEL)
def test_another_participants_letter_answers_404(app, world, method, template):
    client = app.test_client()
    factories.log_in(client, world["users"]["participant"])
    assert client.open(template.format(**world["ids"]), method=method).status_code == 404


def test_a_participant_holding_no_other_role_cannot_open_the_desks_letter_page(app, world):
    client = app.test_client()
    factories.log_in(client, world["users"]["participant"])
    assert client.get(f"/tinjau/surat/{world['ids']['letter']}").status_code == 403
