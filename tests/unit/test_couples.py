"""Couples (product §2, §4): the couple is the unit that receives one joint certificate.

One person forms a couple and gets a single-use invite code; the partner joins with it.
"""
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from course_app.extensions import db
from course_app.models import Couple, CoupleMember, InviteCode
from course_app.services import DomainError, certificate_pdf, certificates, clock, couples
from course_app.services.clock import utcnow
from tests import factories
from tests.certificate_builders import keys_fixture, make_modules, pass_quiz  # noqa: F401


def form_couple(user, **overrides):
    fields = dict(planned_wedding_date=clock.today() + timedelta(days=90),
                  institution_type="gereja", institution_name="Jemaat GMIT Contoh")
    fields.update(overrides)
    return couples.create_couple(user, **fields)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def members_of(couple):
    db.session.expire_all()
    return sorted(m.user_id for m in db.session.get(Couple, couple.id).active_members)


# --- forming and joining ---------------------------------------------------------------------

def test_forming_a_couple_makes_the_creator_a_member_and_issues_an_invite_code(app):
    maria = factories.make_user()
    before = utcnow()

    couple = form_couple(maria)

    assert members_of(couple) == [maria.id]
    invite = couples.open_invite(couple)
    assert len(invite.code) == couples.CODE_LENGTH
    assert set(invite.code) <= set(couples.CODE_ALPHABET)
    ttl = timedelta(hours=app.config["INVITE_CODE_TTL_HOURS"])
    assert before + ttl <= invite.expires_at <= utcnow() + ttl
    assert couples.format_code(invite.code) == f"{invite.code[:4]}-{invite.code[4:]}"


def test_only_participants_form_couples():
    officiant = factories.make_user(roles=("officiant",))
    with pytest.raises(DomainError, match="Hanya calon pengantin"):
        form_couple(officiant)
    assert count(Couple) == 0


@pytest.mark.parametrize("typed", [
    lambda code: code,
    lambda code: code.lower(),
    lambda code: couples.format_code(code),
    lambda code: f"  {code[:4].lower()} {code[4:]} ",
    lambda code: f"{code[:2]}-{code[2:4]} {code[4:].lower()}",
], ids=["as-shown", "lower-case", "with-dash", "with-spaces", "mixed"])
def test_partner_joins_with_the_code_in_any_case_with_dash_or_spaces(typed):
    maria = factories.make_user()
    yosef = factories.make_user(sex="L")
    couple = form_couple(maria)
    code = couples.open_invite(couple).code

    joined = couples.join_couple(yosef, typed(code))

    assert joined.id == couple.id
    assert members_of(couple) == sorted([maria.id, yosef.id])
    invite = db.session.scalar(select(InviteCode).where(InviteCode.code == code))
    assert invite.used_by_id == yosef.id and invite.used_at is not None
    assert couples.partner_of(yosef, joined).id == maria.id


def _done_everything_alone(modules, **person):
    user = factories.make_user(**person)
    factories.make_letter(user)
    for module in modules:
        factories.read_all_lessons(user, module)
        pass_quiz(user, module)
    return user


def test_a_partner_who_joins_late_having_done_everything_completes_the_certificate_at_once(keys):
    modules = make_modules(2)
    maria = _done_everything_alone(modules, full_name="Maria Contoh Lani")
    yosef = _done_everything_alone(modules, full_name="Yosef Contoh Tefa", sex="L")
    couple = form_couple(maria)
    assert certificates.live_certificate(couple) is None

    couples.join_couple(yosef, couples.open_invite(couple).code)

    certificate = certificates.live_certificate(couple)
    assert certificate is not None
    assert [p["name"] for p in certificate.snapshot["people"]] == ["Maria Contoh Lani", "Yosef Contoh Tefa"]


def test_a_failing_pdf_never_undoes_the_partner_joining(keys, monkeypatch):
    modules = make_modules(1)
    maria = _done_everything_alone(modules)
    yosef = _done_everything_alone(modules, sex="L")
    couple = form_couple(maria)

    def broken_render(snapshot):
        raise RuntimeError("PDF builder down")

    monkeypatch.setattr(certificate_pdf, "render", broken_render)
    couples.join_couple(yosef, couples.open_invite(couple).code)
    db.session.commit()

    assert members_of(couple) == sorted([maria.id, yosef.id])
    assert certificates.live_certificate(couple) is None


def test_an_invite_code_is_single_use():
    maria, yosef, third = (factories.make_user() for _ in range(3))
    couple = form_couple(maria)
    code = couples.open_invite(couple).code
    couples.join_couple(yosef, code)

    with pytest.raises(DomainError, match="sudah dipakai") as refused:
        couples.join_couple(third, code)
    assert refused.value.field == "code"
    assert members_of(couple) == sorted([maria.id, yosef.id])
    assert couples.current_couple(third) is None


def test_an_expired_invite_code_is_refused(app):
    maria, yosef = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    code = couples.open_invite(couple).code
    after_expiry = utcnow() + timedelta(hours=app.config["INVITE_CODE_TTL_HOURS"], minutes=1)

    with pytest.raises(DomainError, match="kedaluwarsa"):
        couples.join_couple(yosef, code, now=after_expiry)
    assert members_of(couple) == [maria.id]
    assert couples.open_invite(couple, now=after_expiry) is None


def test_a_new_code_revokes_the_old_one():
    maria, yosef = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    old_code = couples.open_invite(couple).code

    new_code = couples.issue_invite(couple, maria).code

    assert new_code != old_code
    with pytest.raises(DomainError, match="tidak ditemukan"):
        couples.join_couple(yosef, old_code)
    couples.join_couple(yosef, new_code)
    assert members_of(couple) == sorted([maria.id, yosef.id])


@pytest.mark.parametrize("typed", ["", "ABC", "ZZZZ-ZZZZ", "ABCD-EFGH-JK"],
                         ids=["empty", "too-short", "unknown", "too-long"])
def test_a_wrong_code_is_refused_with_a_hint(typed):
    yosef = factories.make_user()
    form_couple(factories.make_user())

    with pytest.raises(DomainError, match="Kode undangan tidak ditemukan") as refused:
        couples.join_couple(yosef, typed)
    assert refused.value.field == "code"
    assert couples.current_couple(yosef) is None


def test_a_complete_couple_needs_no_new_invite_code():
    maria, yosef = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    couples.join_couple(yosef, couples.open_invite(couple).code)

    with pytest.raises(DomainError, match="sudah lengkap"):
        couples.issue_invite(couple, maria)


# --- one active couple per person ------------------------------------------------------------

def test_a_person_in_a_couple_cannot_form_a_second_one():
    maria = factories.make_user()
    form_couple(maria)

    with pytest.raises(DomainError, match="sudah terdaftar dalam pasangan"):
        form_couple(maria, institution_name="Jemaat Lain")
    assert count(Couple) == 1


def test_a_person_in_a_couple_cannot_join_another():
    maria, yosef, third = (factories.make_user() for _ in range(3))
    couple = form_couple(maria)
    own = form_couple(third)
    code = couples.open_invite(couple).code

    with pytest.raises(DomainError, match="sudah terdaftar dalam pasangan"):
        couples.join_couple(third, code)
    assert couples.current_couple(third).id == own.id
    # The code is still unused, so the real partner can still join with it.
    couples.join_couple(yosef, code)
    assert members_of(couple) == sorted([maria.id, yosef.id])


def test_ones_own_invite_code_is_refused_with_an_explanation():
    maria = factories.make_user()
    couple = form_couple(maria)
    code = couples.open_invite(couple).code

    with pytest.raises(DomainError, match="kode undangan Anda sendiri") as refused:
        couples.join_couple(maria, code)
    assert refused.value.field == "code"
    assert members_of(couple) == [maria.id]
    assert couples.open_invite(couple).code == code


def test_the_database_allows_one_active_membership_per_person():
    maria = factories.make_user()
    factories.make_couple(first=maria)

    with pytest.raises(IntegrityError):
        factories.make_couple(first=maria)
    db.session.rollback()


def test_the_database_keeps_past_memberships_next_to_an_active_one():
    maria = factories.make_user()
    first = factories.make_couple(first=maria)
    couples.leave_couple(maria)

    second = factories.make_couple(first=maria)

    rows = db.session.scalars(select(CoupleMember).where(CoupleMember.user_id == maria.id)
                              .order_by(CoupleMember.id)).all()
    assert [(r.couple_id, r.active_user_id) for r in rows] == [(first.id, None), (second.id, maria.id)]


# --- leaving and dissolving ------------------------------------------------------------------

def test_leaving_keeps_the_partner_who_can_invite_someone_else():
    maria, yosef = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    couples.join_couple(yosef, couples.open_invite(couple).code)

    couples.leave_couple(yosef)

    assert members_of(couple) == [maria.id]
    assert db.session.get(Couple, couple.id).is_active
    assert couples.current_couple(yosef) is None
    assert couples.issue_invite(couple, maria).code
    # The one who left is free to form a new couple.
    assert form_couple(yosef).id != couple.id


def test_the_last_member_leaving_ends_the_couple_and_its_codes():
    maria, yosef = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    code = couples.open_invite(couple).code

    couples.leave_couple(maria)

    assert db.session.get(Couple, couple.id).dissolved_at is not None
    with pytest.raises(DomainError, match="tidak ditemukan"):
        couples.join_couple(yosef, code)


def test_dissolving_ends_the_couple_for_both_partners():
    maria, yosef = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    couples.join_couple(yosef, couples.open_invite(couple).code)

    couples.dissolve_couple(yosef)

    assert members_of(couple) == []
    assert db.session.get(Couple, couple.id).dissolved_at is not None
    assert couples.current_couple(maria) is None and couples.current_couple(yosef) is None


def test_dissolving_revokes_unused_invite_codes():
    maria, stranger = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    code = couples.open_invite(couple).code

    couples.dissolve_couple(maria)

    invite = db.session.scalar(select(InviteCode).where(InviteCode.code == code))
    assert invite.revoked_at is not None
    with pytest.raises(DomainError, match="tidak ditemukan"):
        couples.join_couple(stranger, code)


def test_leaving_or_dissolving_needs_a_couple():
    loner = factories.make_user()
    for operation in (couples.leave_couple, couples.dissolve_couple):
        with pytest.raises(DomainError, match="belum terdaftar dalam pasangan"):
            operation(loner)


@pytest.mark.parametrize("operation", [couples.leave_couple, couples.dissolve_couple],
                         ids=["leave", "dissolve"])
def test_nobody_leaves_or_dissolves_a_couple_once_its_certificate_exists(operation):
    maria, yosef = factories.make_user(), factories.make_user()
    couple = factories.make_couple(first=maria, second=yosef)
    couple.locked_at = utcnow()
    db.session.flush()

    with pytest.raises(DomainError, match="Sertifikat pasangan ini sudah terbit"):
        operation(yosef)
    assert members_of(couple) == sorted([maria.id, yosef.id])
    assert db.session.get(Couple, couple.id).dissolved_at is None


def test_a_locked_couple_keeps_its_wedding_plan():
    maria = factories.make_user()
    couple = factories.make_couple(first=maria)
    couple.locked_at = utcnow()
    db.session.flush()

    with pytest.raises(DomainError, match="Sertifikat pasangan ini sudah terbit"):
        couples.update_wedding(maria, couple, planned_wedding_date=clock.today() + timedelta(days=10),
                               institution_type="masjid_kua", institution_name="KUA Kelapa Lima")


# --- the wedding plan ------------------------------------------------------------------------

@pytest.mark.parametrize("wedding, message", [
    (clock.today() - timedelta(days=1), "harus setelah hari ini"),
    (clock.today(), "harus setelah hari ini"),
    (clock.today() + timedelta(days=4 * 366), "paling lama tiga tahun"),
], ids=["yesterday", "today", "too-far-ahead"])
def test_the_wedding_date_must_be_ahead_but_not_too_far(wedding, message):
    maria = factories.make_user()

    with pytest.raises(DomainError, match=message) as refused:
        form_couple(maria, planned_wedding_date=wedding)
    assert refused.value.field == "planned_wedding_date"
    assert count(Couple) == 0 and count(CoupleMember) == 0


@pytest.mark.parametrize("field, value, message", [
    ("institution_type", "stadion", "Pilih jenis lembaga"),
    ("institution_name", " K ", "Tulis nama lembaga"),
])
def test_the_institution_must_be_named(field, value, message):
    with pytest.raises(DomainError, match=message) as refused:
        form_couple(factories.make_user(), **{field: value})
    assert refused.value.field == field
    assert count(Couple) == 0


def test_partners_update_the_wedding_plan():
    maria, yosef = factories.make_user(), factories.make_user()
    couple = form_couple(maria)
    couples.join_couple(yosef, couples.open_invite(couple).code)
    wedding = clock.today() + timedelta(days=200)

    couples.update_wedding(yosef, couple, planned_wedding_date=wedding,
                           institution_type="masjid_kua", institution_name="  KUA   Kelapa Lima ")

    db.session.expire_all()
    stored = db.session.get(Couple, couple.id)
    assert (stored.planned_wedding_date, stored.institution_type, stored.institution_name) == (
        wedding, "masjid_kua", "KUA Kelapa Lima")


def test_only_members_update_the_wedding_plan():
    couple = form_couple(factories.make_user())
    outsider = factories.make_user()

    with pytest.raises(DomainError, match="belum terdaftar dalam pasangan"):
        couples.update_wedding(outsider, couple, planned_wedding_date=clock.today() + timedelta(days=30),
                               institution_type="gereja", institution_name="Jemaat Lain")
