"""Good-conduct letters (product §5, issue 3): upload rules, review decisions, what other
features read (`approved_letter`, `letter_summary`), the reviewers' queries and the demo."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.letters import FileBlob, Letter, LetterEvent
from course_app.services import DomainError, events, letters
from course_app.services.letters import demo as letter_demo
from course_app.services.letters import desk
from course_app.services.uploads import UploadRefused
from tests import factories

TODAY = date(2026, 11, 20)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def submit(user, data=None, **overrides):
    fields = dict(data=data if data is not None else factories.jpeg_bytes(), filename="foto-skck.jpg",
                  number="SKCK/YANMAS/1234/XI/2026", police_office="polres_kupang_kota",
                  issued_on=TODAY - timedelta(days=3), today=TODAY)
    fields.update(overrides)
    return letters.submit_letter(user, **fields)


@pytest.fixture
def maria():
    return factories.make_user(full_name="Mawar Contoh")


@pytest.fixture
def reviewer():
    return factories.make_user(roles=("reviewer",), full_name="Peninjau Satu")


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize("issued,expected", [
    (date(2026, 1, 15), date(2026, 7, 15)),
    (date(2026, 8, 31), date(2027, 2, 28)),   # no 31 February: the month's last day
    (date(2027, 8, 31), date(2028, 2, 29)),   # leap year
])
def test_an_skck_is_valid_six_months_from_issue_by_default(issued, expected):
    assert letters.default_valid_until(issued) == expected


# --- upload ------------------------------------------------------------------------------------

def test_an_upload_stores_the_checked_file_and_a_pending_letter_with_its_history(maria):
    letter = submit(maria, police_office="polsek", police_office_name="  Polsek   Oebobo ")

    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    assert letter.status == "pending" and letter.user_id == maria.id
    assert letter.number == "SKCK/YANMAS/1234/XI/2026"
    assert letter.police_office_name == "Polsek Oebobo"
    assert letters.police_office_text(letter) == "Polsek Polsek Oebobo"
    assert letter.valid_until == letters.default_valid_until(TODAY - timedelta(days=3))
    assert letter.original_filename == "foto-skck.jpg"
    assert letter.blob.content_type == "image/jpeg" and letter.blob.size == len(letter.blob.data)
    assert len(letter.blob.sha256) == 64 and letter.original_sha256 != letter.blob.sha256
    assert [(e.action, e.actor_id) for e in letter.events] == [("uploaded", maria.id)]
    assert count(FileBlob) == 1


def test_the_original_file_name_is_display_text_only(maria):
    letter = submit(maria, filename="C:\\Users\\maria\\..\\..\\etc\\passwd\x00.jpg")

    assert letter.original_filename == "passwd.jpg"
    assert submit(factories.make_user(), filename="").original_filename == "skck.jpg"


def test_polres_kupang_kota_needs_no_office_name(maria):
    assert submit(maria, police_office_name="diabaikan").police_office_name is None


@pytest.mark.parametrize("overrides,field,message", [
    ({"number": "  "}, "number", "nomor surat"),
    ({"police_office": "polda"}, "police_office", "kantor polisi"),
    ({"police_office": "polsek", "police_office_name": ""}, "police_office_name", "nama kantor polisi"),
    ({"police_office": "lainnya", "police_office_name": None}, "police_office_name", "nama kantor polisi"),
    ({"issued_on": TODAY + timedelta(days=1)}, "issued_on", "setelah hari ini"),
    ({"issued_on": TODAY - timedelta(days=3), "valid_until": TODAY - timedelta(days=3)}, "valid_until", "setelah tanggal terbit"),
    ({"issued_on": TODAY - timedelta(days=3), "valid_until": TODAY + timedelta(days=200)}, "valid_until", "paling lama 6 bulan"),
    ({"issued_on": TODAY - timedelta(days=200), "valid_until": TODAY - timedelta(days=20)}, "valid_until", "sudah kedaluwarsa"),
], ids=["no-number", "unknown-office", "polsek-without-name", "other-without-name", "issued-in-future",
        "valid-until-before-issue", "longer-than-six-months", "already-expired"])
def test_letter_details_are_checked_and_nothing_is_stored(maria, overrides, field, message):
    with pytest.raises(DomainError) as caught:
        submit(maria, **overrides)

    assert caught.value.field == field and message in str(caught.value)
    db.session.rollback()
    assert count(Letter) == 0 and count(FileBlob) == 0


def test_an_expired_letter_is_refused_at_upload_even_with_the_default_validity(maria):
    with pytest.raises(DomainError, match="sudah kedaluwarsa"):
        submit(maria, issued_on=TODAY - timedelta(days=200))


def test_a_refused_file_stores_nothing(maria):
    with pytest.raises(UploadRefused) as caught:
        submit(maria, data=factories.HTML_PAGE, filename="skck.pdf")

    assert caught.value.code == "html" and caught.value.field == "file"
    db.session.rollback()
    assert count(Letter) == 0 and count(FileBlob) == 0


def test_only_participants_upload(reviewer):
    with pytest.raises(DomainError, match="Hanya calon pengantin"):
        submit(reviewer)


def test_a_double_submit_of_one_form_creates_one_letter(maria):
    first = submit(maria, token="a" * 32)
    second = submit(maria, token="a" * 32, number="SKCK/LAIN/9999")

    assert second.id == first.id
    assert count(Letter) == 1 and count(FileBlob) == 1 and count(LetterEvent) == 1


def test_two_submits_of_one_form_at_the_same_moment_create_one_letter(maria, monkeypatch):
    """The second request passed the token lookup before the first one committed: the unique
    (user, token) constraint refuses its insert and it answers with the first letter."""
    first = submit(maria, token="b" * 32)
    db.session.commit()
    real_lookup = letters._letter_by_token
    calls = []

    def lookup_that_lost_the_race(user, token):
        calls.append(token)
        return None if len(calls) == 1 else real_lookup(user, token)

    monkeypatch.setattr(letters, "_letter_by_token", lookup_that_lost_the_race)

    again = submit(db.session.get(type(maria), maria.id), token="b" * 32)
    db.session.commit()

    assert again.id == first.id and len(calls) == 2
    assert count(Letter) == 1 and count(FileBlob) == 1


def test_the_same_token_from_two_participants_makes_two_letters(maria):
    submit(maria, token="c" * 32)
    submit(factories.make_user(), token="c" * 32, data=factories.png_bytes())

    assert count(Letter) == 2


def test_a_new_upload_replaces_a_letter_still_waiting_for_review(maria):
    first = submit(maria)
    second = submit(maria, data=factories.png_bytes())

    db.session.refresh(first)
    assert first.status == "withdrawn" and second.status == "pending"
    assert [e.action for e in first.events] == ["uploaded", "withdrawn"]


def test_a_file_another_participant_uploaded_is_flagged(maria):
    photo = factories.jpeg_bytes()
    first = submit(maria, data=photo)
    copycat = submit(factories.make_user(), data=photo)
    again_by_maria = submit(maria, data=photo)

    assert first.duplicate_of_id is None
    assert copycat.duplicate_of_id == first.id
    assert again_by_maria.duplicate_of_id == copycat.id  # the copycat's letter is another person's
    assert [le.id for le in letters.duplicates_of(copycat)] == [first.id, again_by_maria.id]


def test_reuploading_ones_own_file_is_not_flagged(maria):
    photo = factories.jpeg_bytes()
    submit(maria, data=photo)
    assert submit(maria, data=photo).duplicate_of_id is None


# --- decisions ---------------------------------------------------------------------------------

def test_approving_records_who_and_when_and_tells_the_other_features(maria, reviewer):
    letter = submit(maria)
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs["letter"].status))

    with events.letter_approved.connected_to(receiver):
        letters.approve_letter(letter, reviewer, today=TODAY)

    assert letter.status == "approved" and letter.decided_by_id == reviewer.id
    assert letter.decided_at is not None
    assert received == [(maria, "approved")]
    assert [(e.action, e.actor_id) for e in letter.events] == [("uploaded", maria.id), ("approved", reviewer.id)]


def test_an_expired_letter_cannot_be_approved(maria, reviewer):
    letter = submit(maria)

    with pytest.raises(DomainError, match="kedaluwarsa"):
        letters.approve_letter(letter, reviewer, today=letter.valid_until + timedelta(days=1))

    assert letter.status == "pending"
    letters.approve_letter(letter, reviewer, today=letter.valid_until)  # the last valid day is fine


def test_rejecting_keeps_the_reason_from_the_list_and_the_free_text(maria, reviewer):
    letter = submit(maria)

    letters.reject_letter(letter, reviewer, "tidak_terbaca", "  Foto terlalu gelap.  ")

    assert (letter.status, letter.reason_code, letter.reason_text) == ("rejected", "tidak_terbaca", "Foto terlalu gelap.")
    event = letter.events[-1]
    assert (event.action, event.actor_id, event.reason_code, event.reason_text) == (
        "rejected", reviewer.id, "tidak_terbaca", "Foto terlalu gelap.")


@pytest.mark.parametrize("code,text,field", [("", None, "reason"), ("salah", None, "reason"),
                                             ("lainnya", "   ", "reason_text")])
def test_a_rejection_needs_a_listed_reason_and_other_needs_words(maria, reviewer, code, text, field):
    letter = submit(maria)
    with pytest.raises(DomainError) as caught:
        letters.reject_letter(letter, reviewer, code, text)
    assert caught.value.field == field and letter.status == "pending"


def test_only_reviewers_decide(maria):
    letter = submit(maria)
    for someone in (factories.make_user(), factories.make_user(roles=("admin",))):
        with pytest.raises(DomainError, match="Hanya peninjau"):
            letters.approve_letter(letter, someone, today=TODAY)


def test_a_reviewer_cannot_decide_their_own_letter():
    both = factories.make_user(roles=("participant", "reviewer"))
    letter = submit(both)
    with pytest.raises(DomainError, match="surat Anda sendiri"):
        letters.approve_letter(letter, both, today=TODAY)


def test_a_letter_is_decided_once(maria, reviewer):
    letter = submit(maria)
    letters.approve_letter(letter, reviewer, today=TODAY)

    with pytest.raises(DomainError, match="sudah diputuskan"):
        letters.reject_letter(letter, factories.make_user(roles=("reviewer",)), "bukan_skck")
    assert letter.status == "approved"


def test_a_withdrawn_letter_cannot_be_decided(maria, reviewer):
    first = submit(maria)
    submit(maria, data=factories.png_bytes())
    with pytest.raises(DomainError, match="sudah diganti"):
        letters.approve_letter(first, reviewer, today=TODAY)


# --- approved_letter and letter_summary --------------------------------------------------------

def test_approved_letter_is_the_latest_approved_letter_valid_on_the_date(maria):
    older = factories.make_letter(maria, issued_on=date(2026, 3, 1))
    newer = factories.make_letter(maria, issued_on=date(2026, 6, 1))
    factories.make_letter(maria, status="pending", issued_on=date(2026, 7, 1))
    factories.make_letter(maria, status="rejected", issued_on=date(2026, 7, 2))

    assert letters.approved_letter(maria, date(2026, 6, 15)) == newer
    assert letters.approved_letter(maria, date(2026, 4, 1)) == older
    assert letters.approved_letter(maria, date(2026, 12, 2)) is None   # newer ran out on 1 Dec
    assert letters.approved_letter(maria, date(2026, 12, 1)) == newer  # valid through its last day
    assert letters.approved_letter(maria, date(2026, 2, 1)) is None    # not issued yet
    assert letters.approved_letter(factories.make_user(), date(2026, 6, 15)) is None


def test_letter_summary_says_where_a_participant_stands(maria):
    assert letters.letter_summary(maria, TODAY).status == "none"

    pending = factories.make_letter(maria, status="pending", issued_on=TODAY - timedelta(days=5))
    summary = letters.letter_summary(maria, TODAY)
    assert (summary.status, summary.letter, summary.can_upload) == ("pending", pending, False)

    pending.status = "rejected"
    pending.reason_code = "nama_tidak_sesuai"
    summary = letters.letter_summary(maria, TODAY)
    assert (summary.status, summary.can_upload) == ("rejected", True)
    assert summary.reason == "Nama di surat tidak sesuai dengan akun"

    approved = factories.make_letter(maria, issued_on=TODAY - timedelta(days=2))
    summary = letters.letter_summary(maria, TODAY)
    assert (summary.status, summary.letter, summary.done) == ("approved", approved, True)

    newer = factories.make_letter(maria, status="pending", issued_on=TODAY - timedelta(days=1))
    summary = letters.letter_summary(maria, TODAY)
    assert (summary.status, summary.pending) == ("approved", newer)

    later = approved.valid_until + timedelta(days=1)
    newer.status = "withdrawn"
    assert letters.letter_summary(maria, later).status == "expired"


# --- the reviewers' queries --------------------------------------------------------------------

def test_the_queue_lists_pending_letters_first_oldest_first(reviewer):
    people = [factories.make_user(full_name=name) for name in ("Ana", "Beni", "Citra", "Dedi")]
    decided = factories.make_letter(people[0], uploaded_at=factories.days_ago(9))
    newest = factories.make_letter(people[1], status="pending", uploaded_at=factories.days_ago(1))
    oldest = factories.make_letter(people[2], status="pending", uploaded_at=factories.days_ago(5))
    rejected = factories.make_letter(people[3], status="rejected", uploaded_at=factories.days_ago(2))

    queue = db.session.scalars(desk.review_queue()).all()

    assert queue == [oldest, newest, rejected, decided]
    assert db.session.scalars(desk.review_queue(status="pending")).all() == [oldest, newest]
    assert db.session.scalars(desk.review_queue(query="cIt")).all() == [oldest]
    assert db.session.scalars(desk.review_queue(query="%")).all() == []
    assert desk.pending_count() == 2


def test_the_queue_filters_by_upload_day_in_kupang_time():
    from datetime import UTC, datetime

    maria = factories.make_user()
    # 23:30 UTC on 9 November is 07:30 WITA on 10 November.
    letter = factories.make_letter(maria, status="pending",
                                   uploaded_at=datetime(2026, 11, 9, 23, 30, tzinfo=UTC))

    def found(date_from=None, date_to=None):
        return db.session.scalars(desk.review_queue(date_from=date_from, date_to=date_to)).all()

    assert found(date(2026, 11, 10), date(2026, 11, 10)) == [letter]
    assert found(date_to=date(2026, 11, 9)) == []
    assert found(date_from=date(2026, 11, 11)) == []


def test_couples_are_searchable_by_either_partners_name():
    first = factories.make_user(full_name="Yakob Contoh Tefa")
    second = factories.make_user(full_name="Martha Nalle")
    couple = factories.make_couple(first, second)
    factories.make_couple(factories.make_user(full_name="Lain Orang"))

    assert db.session.scalars(desk.couples_query("nalle")).all() == [couple]
    assert len(db.session.scalars(desk.couples_query()).all()) == 2
    factories.make_letter(second, status="rejected")
    progress = desk.couple_progress(couple)
    assert [(p.user, p.letter.status) for p in progress] == [(first, "none"), (second, "rejected")]


# --- access ------------------------------------------------------------------------------------

def test_only_the_owner_and_reviewers_get_a_letter(app, maria, reviewer):
    from course_app.services import NotFound

    letter = factories.make_letter(maria)

    assert letters.find_letter(letter.id, maria) == letter
    assert letters.find_letter(letter.id, reviewer) == letter
    for other in (factories.make_user(), factories.make_user(roles=("admin",)),
                  factories.make_user(roles=("officiant",))):
        with pytest.raises(NotFound):
            letters.find_letter(letter.id, other)
    with pytest.raises(NotFound):
        letters.find_letter(999_999, reviewer)


# --- demo --------------------------------------------------------------------------------------

def test_demo_letters_come_in_different_states_and_only_once(reviewer):
    first, second = factories.make_user(), factories.make_user()

    letter_demo.add_demo_letters(first, second, reviewer)
    letter_demo.add_demo_letters(first, second, reviewer)

    assert letters.letter_summary(first).status == "approved"
    second_letters = letters.letters_of(second)
    assert [le.status for le in second_letters] == ["pending", "rejected"]
    assert second_letters[0].blob.content_type == "application/pdf"
    assert second_letters[1].reason_code == "tidak_terbaca"
    assert count(Letter) == 3
