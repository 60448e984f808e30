"""Certificates (product §6; issue 4 points 1, 2, 5, 7, 8, 11, 12): eligibility in one
service, issue the moment the last condition holds, a frozen snapshot and PDF, statuses,
recording the marriage, revocation, the status list."""
import hashlib
import io
import json
import logging
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from course_app.extensions import db
from course_app.models import Couple
from course_app.models.certificates import Certificate
from course_app.services import (
    DomainError,
    certificate_pdf,
    certificates,
    clock,
    content,
    couples,
    demo,
    letters,
    signing,
)
from course_app.services.clock import utcnow
from tests import factories
from tests.certificate_builders import (  # noqa: F401
    keys_dir_fixture,
    keys_fixture,
    make_certificate,
    make_modules,
    make_ready_couple,
    pass_quiz,
)
from tests.mailbox import Outbox


def count_certificates():
    return db.session.scalar(select(func.count()).select_from(Certificate))


def missing_codes(couple):
    return sorted(m.code for m in certificates.eligibility(couple).missing)


# --- eligibility, in one function ------------------------------------------------------------

def test_a_couple_with_everything_done_is_eligible(keys_dir):
    """Both partners passed every module, hold approved letters and are over 19 on the wedding
    date: nothing is missing. (No signing key, so nothing is issued and locked meanwhile.)"""
    modules = make_modules(2)
    couple, *_ = make_ready_couple(modules)
    result = certificates.eligibility(couple)
    assert result.eligible is True
    assert result.missing == []


def test_eligibility_says_exactly_which_modules_each_partner_still_lacks(keys):
    modules = make_modules(2)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    missing = certificates.eligibility(couple).missing
    assert [(m.code, m.user) for m in missing] == [("modules", second)]
    assert modules[-1].title in str(missing[0].message)
    assert second.full_name in str(missing[0].message)


def test_a_partner_without_an_approved_letter_is_missing_the_letter(keys):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, letters=False)
    factories.make_letter(first)
    factories.make_letter(second, status="pending")
    missing = certificates.eligibility(couple).missing
    assert [(m.code, m.user) for m in missing] == [("letter", second)]


def test_an_expired_letter_does_not_count(keys):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, letters=False)
    factories.make_letter(first)
    factories.make_letter(second, issued_on=clock.today() - timedelta(days=200),
                          valid_until=clock.today() - timedelta(days=1))
    assert missing_codes(couple) == ["letter"]
    assert count_certificates() == 0


def test_a_partner_under_19_on_the_wedding_date_needs_a_court_dispensation(keys):
    """UU 16/2019, art. 7: 19 years for both; below that only with a court dispensation."""
    young = factories.make_user(full_name="Ana Muda", birth_date=clock.today() - timedelta(days=18 * 365 + 100))
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, second=young)
    missing = certificates.eligibility(couple).missing
    assert [(m.code, m.user) for m in missing] == [("age", young)]
    assert "19" in str(missing[0].message)
    assert count_certificates() == 0


@pytest.mark.parametrize("wedding_after_19th_birthday, age, missing", [
    (timedelta(days=-1), 18, ["age"]),  # the wedding is the day before the 19th birthday
    (timedelta(days=0), 19, []),        # the wedding is on the 19th birthday itself
    (timedelta(days=1), 19, []),
], ids=["day-before-19th-birthday", "on-19th-birthday", "day-after"])
def test_nineteen_on_the_planned_wedding_date_itself_is_old_enough(keys_dir, wedding_after_19th_birthday,
                                                                   age, missing):
    """UU 16/2019, art. 7(1): at least 19 on the planned wedding date, to the day."""
    days = 120
    while (clock.today() + timedelta(days=days) - wedding_after_19th_birthday).timetuple()[1:3] == (2, 29):
        days += 1  # a 29 February 19th birthday has no birth date 19 years before it
    wedding = clock.today() + timedelta(days=days)
    nineteenth_birthday = wedding - wedding_after_19th_birthday
    born = nineteenth_birthday.replace(year=nineteenth_birthday.year - 19)
    person = factories.make_user(birth_date=born)
    couple, *_ = make_ready_couple(make_modules(1), second=person, wedding_in_days=days)

    assert couple.planned_wedding_date == wedding
    assert certificates.age_on(born, couple.planned_wedding_date) == age
    assert missing_codes(couple) == missing


def test_age_counts_whole_years_and_leap_day_birthdays_turn_on_the_first_of_march():
    assert certificates.age_on(date(2008, 2, 29), date(2027, 2, 28)) == 18
    assert certificates.age_on(date(2008, 2, 29), date(2027, 3, 1)) == 19
    assert certificates.age_on(date(2000, 6, 15), date(2019, 6, 14)) == 18
    assert certificates.age_on(date(2000, 6, 15), date(2019, 6, 15)) == 19


def test_a_missing_birth_date_and_a_missing_partner_are_reported(keys):
    person = factories.make_user(birth_date=None)
    couple = factories.make_couple(person)
    codes = missing_codes(couple)
    assert "partner" in codes and "birth_date" in codes and "letter" in codes


# --- issued the moment the last condition holds ----------------------------------------------

def test_the_certificate_is_issued_when_the_last_quiz_is_passed(keys):
    modules = make_modules(2)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    assert certificates.live_certificate(couple) is None

    pass_quiz(second, modules[-1])

    certificate = certificates.live_certificate(couple)
    assert certificate is not None
    assert certificates.status_of(certificate) == "valid"
    assert db.session.get(Couple, couple.id).locked_at is not None


def test_the_certificate_is_issued_when_the_last_letter_is_approved(keys):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, letters=False)
    factories.make_letter(first)
    pending = factories.make_letter(second, status="pending")
    assert certificates.live_certificate(couple) is None

    letters.approve_letter(pending, factories.make_user(roles=("reviewer",)))

    assert certificates.live_certificate(couple) is not None


def test_the_certificate_is_issued_when_a_reviewer_records_the_dispensation(keys):
    young = factories.make_user(full_name="Ana Muda", birth_date=clock.today() - timedelta(days=18 * 365))
    couple, first, second = make_ready_couple(make_modules(1), second=young)
    reviewer = factories.make_user(roles=("reviewer",))
    assert [c for c, people in certificates.couples_needing_dispensation()] == [couple]

    certificates.record_dispensation(couple, young, " 12/Pdt.P/2026/PA.Kpg ", reviewer)

    certificate = certificates.live_certificate(couple)
    assert certificate is not None
    assert certificate.snapshot["people"][1]["dispensation"] == "12/Pdt.P/2026/PA.Kpg"
    assert certificates.couples_needing_dispensation() == []
    with pytest.raises(DomainError):
        certificates.record_dispensation(couple, young, "13/Pdt.P/2026/PA.Kpg", reviewer)


def test_only_reviewers_record_dispensations_and_only_for_a_member(keys):
    couple, first, second = make_ready_couple(make_modules(1), letters=False)
    with pytest.raises(DomainError):
        certificates.record_dispensation(couple, first, "12/Pdt.P/2026", first)
    with pytest.raises(DomainError):
        certificates.record_dispensation(couple, factories.make_user(), "12/Pdt.P/2026",
                                         factories.make_user(roles=("reviewer",)))


def test_without_a_signing_key_nothing_is_issued_and_the_quiz_still_counts(keys_dir):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)

    attempt = pass_quiz(second, modules[0])

    assert attempt.passed
    assert count_certificates() == 0
    panel = certificates.certificate_panel(couple, first)
    assert panel.eligibility.eligible and panel.waiting_for_key


def test_a_failing_signature_never_undoes_the_letter_approval_that_triggered_it(keys, monkeypatch, caplog):
    couple, first, second = make_ready_couple(make_modules(1), letters=False)
    factories.make_letter(first)
    pending = factories.make_letter(second, status="pending")

    def broken_token(*args, **kwargs):
        raise ValueError("signing failed")

    monkeypatch.setattr(signing, "certificate_token", broken_token)
    letters.approve_letter(pending, factories.make_user(roles=("reviewer",)))
    db.session.commit()

    db.session.expire_all()
    assert letters.approved_letter(second, clock.today()) is not None
    assert count_certificates() == 0
    assert db.session.get(Couple, couple.id).locked_at is None
    assert any(f"couple {couple.id} failed (ValueError" in r.getMessage() for r in caplog.records)


def test_issue_pending_issues_every_eligible_couple_without_a_certificate_and_no_other(keys_dir):
    modules = make_modules(1)
    due = make_ready_couple(modules)[0]
    unfinished = make_ready_couple(modules, letters=False)[0]
    assert certificates.issue_pending() == ([], [due])  # no signing key yet: due, not issued

    signing.generate_key()
    already_certificate, already, *_ = make_certificate(modules)
    issued, failed = certificates.issue_pending()

    assert (issued, failed) == ([due], [])
    assert certificates.live_certificate(due) is not None
    assert certificates.live_certificate(unfinished) is None
    assert certificates.live_certificate(already) == already_certificate
    assert count_certificates() == 2
    assert certificates.issue_pending() == ([], [])


def test_issue_pending_for_issues_only_the_members_own_due_certificate(keys_dir):
    couple, first, second = make_ready_couple(make_modules(1))
    stranger = factories.make_user()
    signing.generate_key()

    assert certificates.issue_pending_for(stranger) is None
    certificate = certificates.issue_pending_for(second)

    assert certificate is not None and certificate == certificates.live_certificate(couple)
    assert certificates.issue_pending_for(first) is None


def test_a_certified_couple_is_locked(keys):
    certificate, couple, first, second = make_certificate()
    with pytest.raises(DomainError):
        couples.leave_couple(first)
    with pytest.raises(DomainError):
        couples.dissolve_couple(second)


def test_issuing_twice_gives_the_same_single_certificate(keys):
    certificate, couple, *_ = make_certificate()
    assert certificates.issue_if_eligible(couple) is None
    assert certificates.issue_certificate(couple) == certificate
    assert count_certificates() == 1


def test_the_database_refuses_a_second_live_certificate_for_a_couple(keys):
    certificate, couple, *_ = make_certificate()
    db.session.commit()
    twin = Certificate(**{c.name: getattr(certificate, c.name) for c in Certificate.__table__.columns
                          if c.name != "id"}, id=certificates.new_certificate_id())
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.no_app_context
def test_two_simultaneous_issues_never_give_a_couple_two_certificates(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNING_KEYS_DIR", str(tmp_path / "keys"))
    try:
        with app.app_context():
            signing.generate_key()
            couple, *_ = make_ready_couple(make_modules(1), letters=False)
            db.session.commit()
            couple_id = couple.id
        barrier = threading.Barrier(4)
        results, errors = [], []

        def issue():
            with app.app_context():
                try:
                    target = db.session.get(Couple, couple_id)
                    barrier.wait(timeout=10)
                    made = certificates.issue_certificate(target)
                    db.session.commit()
                    results.append(made.id if made else None)
                except Exception as error:  # noqa: BLE001 - collected and asserted below
                    db.session.rollback()
                    errors.append(error)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=issue) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with app.app_context():
            rows = db.session.scalars(select(Certificate).where(Certificate.couple_id == couple_id)).all()
            assert len(rows) == 1, (results, errors)
            assert rows[0].id in results
            assert all(r in (rows[0].id, None) for r in results)
    finally:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())


# --- identifier and snapshot -----------------------------------------------------------------

def test_ids_are_16_random_base32_characters():
    ids = {certificates.new_certificate_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 16 and set(i) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for i in ids)


def test_ids_are_found_in_either_case_with_spaces_and_lookalike_digits(keys):
    certificate, *_ = make_certificate()
    spaced = " ".join(certificate.id[i:i + 4] for i in range(0, 16, 4)).lower()
    assert certificates.get_certificate(spaced) == certificate
    assert certificates.get_certificate(certificate.id.replace("O", "0").replace("I", "1")) == certificate
    assert certificates.get_certificate("NOT-AN-ID") is None
    assert certificates.get_certificate("A" * 16) is None


def test_the_snapshot_freezes_names_modules_scores_dates_institution_and_template(keys):
    modules = make_modules(2)
    couple, first, second = make_ready_couple(modules)
    certificate = certificates.live_certificate(couple)
    snapshot = certificate.snapshot
    assert [p["name"] for p in snapshot["people"]] == [first.full_name, second.full_name]
    assert [m["code"] for m in snapshot["people"][0]["modules"]] == [m.code for m in modules]
    assert all(m["best_score"] == 100 and m["passed_on"] for p in snapshot["people"] for m in p["modules"])
    assert snapshot["wedding"]["institution_name"] == couple.institution_name
    assert snapshot["wedding"]["planned_date"] == couple.planned_wedding_date.isoformat()
    assert snapshot["template_version"] == certificate_pdf.TEMPLATE_VERSION
    assert snapshot["office"]["code"] == "P3A-KPG"
    assert snapshot["verify_url"].startswith("HTTP://127.0.0.1:5000/V/" + certificate.id + "#")


def test_new_certificates_are_format_2_and_sign_the_birth_dates_the_age_rule_used(keys):
    """Issue 12 point 3: the signed token carries each person's date of birth — the same
    stored `users.birth_date` that eligibility's age rule (UU 16/2019) is computed from."""
    couple, first, second = make_ready_couple(make_modules(1), birth_dates=(date(1968, 2, 29), date(2000, 12, 31)))
    certificate = certificates.live_certificate(couple)
    assert certificate.format_version == 2 == certificate.snapshot["format_version"]
    assert [p["birth_date"] for p in certificate.snapshot["people"]] == ["1968-02-29", "2000-12-31"]
    claims = certificates.verify_token(certificate.snapshot["verify_url"]).claims
    assert claims.version == 2
    assert claims.names == (first.full_name, second.full_name)
    assert claims.birth_dates == (first.birth_date, second.birth_date) == (date(1968, 2, 29), date(2000, 12, 31))
    assert certificates.people_of(certificate) == list(zip(claims.names, claims.birth_dates, strict=True))


def test_the_age_rule_and_the_signed_birth_date_come_from_the_same_stored_date(keys):
    """A partner who turns 19 the day after the wedding is refused; once a reviewer records a
    dispensation, the certificate signs that very birth date."""
    wedding = clock.today() + timedelta(days=120)
    young_birth = date(wedding.year - 19, wedding.month, wedding.day) + timedelta(days=1)
    couple, first, second = make_ready_couple(make_modules(1), birth_dates=(date(1996, 4, 11), young_birth))
    assert [m.code for m in certificates.eligibility(couple).missing] == ["age"]
    certificates.record_dispensation(couple, second, "12/Pdt.P/2026/PA.Kpg", factories.make_user(roles=("reviewer",)))
    certificate = certificates.live_certificate(couple)
    assert certificates.verify_token(certificate.snapshot["verify_url"]).claims.birth_dates[1] == young_birth


def test_the_pdf_never_changes_after_a_profile_edit(keys):
    certificate, couple, first, second = make_certificate()
    db.session.commit()
    pdf, digest, snapshot = certificate.pdf, certificate.pdf_sha256, dict(certificate.snapshot)
    names = certificates.names_of(certificate)

    first.full_name = "Nama Baru Sama Sekali"
    first.birth_date = date(1990, 1, 1)
    db.session.commit()
    db.session.expire_all()

    again = db.session.get(Certificate, certificate.id)
    assert again.pdf == pdf
    assert again.pdf_sha256 == digest == certificate_pdf.sha256(pdf)
    assert again.snapshot == snapshot
    assert certificates.names_of(again) == names
    assert certificate_pdf.render(again.snapshot) == pdf  # deterministic from the snapshot


def test_names_are_frozen_in_nfc_with_single_spaces(keys):
    person = factories.make_user(full_name="  Jose\u0301   Mari\u0301a ")
    couple, *_ = make_ready_couple(make_modules(1), first=person)
    certificate = certificates.live_certificate(couple)
    assert certificate.snapshot["people"][0]["name"] == "Jos\u00e9 Mar\u00eda"
    assert certificates.verify_token(certificates.token_text(certificate)).claims.names[0] == "Jos\u00e9 Mar\u00eda"


def test_masked_names_keep_only_each_words_first_letter():
    assert certificates.mask_name("Mawar  Contoh Bere") == "M**** C***** B***"
    assert certificates.mask_name("Élise") == "É****"


# --- statuses --------------------------------------------------------------------------------

def test_a_fresh_certificate_verifies_as_valid(keys):
    certificate, *_ = make_certificate()
    result = certificates.verify_token(certificate.snapshot["verify_url"])
    assert (result.status, result.reason) == ("valid", None)
    assert result.claims.certificate_id == certificate.id


def test_an_expired_certificate_verifies_as_expired(keys):
    certificate, *_ = make_certificate()
    later = certificate.expires_at + timedelta(seconds=1)
    assert certificates.verify_token(certificate.snapshot["verify_url"], now=later).status == "expired"
    assert certificates.status_of(certificate, later) == "expired"


def test_a_revoked_certificate_verifies_as_revoked_and_the_couple_is_emailed(keys, app):
    certificate, couple, first, second = make_certificate()
    reviewer = factories.make_user(roles=("reviewer",))
    outbox = Outbox()
    outbox.clear()

    certificates.revoke_certificate(certificate, reviewer, "data_error", "salah ketik nama")
    certificates.notify_revocation(certificate)

    assert certificates.verify_token(certificate.snapshot["verify_url"]).status == "revoked"
    assert sorted(m["To"] for m in outbox) == sorted([first.email, second.email])
    assert "Data pada sertifikat salah" in outbox[0].get_content()
    assert "salah ketik" not in outbox[0].get_content()  # the internal note stays internal
    assert certificates.live_certificate(couple) is None
    with pytest.raises(DomainError):
        certificates.revoke_certificate(certificate, reviewer, "other")


def test_a_revoked_couple_gets_no_new_certificate_on_its_own(keys):
    modules = make_modules(1)
    certificate, couple, first, second = make_certificate(modules)
    certificates.revoke_certificate(certificate, factories.make_user(roles=("reviewer",)), "other")
    assert certificates.issue_if_eligible(couple) is None
    assert "revoked" in missing_codes(couple)
    assert count_certificates() == 1


def test_revocation_needs_a_reviewer_and_a_listed_reason(keys):
    certificate, couple, first, second = make_certificate()
    with pytest.raises(DomainError):
        certificates.revoke_certificate(certificate, first, "other")
    with pytest.raises(DomainError):
        certificates.revoke_certificate(certificate, factories.make_user(roles=("reviewer",)), "bosan")


def test_a_token_that_does_not_verify_is_unknown_with_its_reason(keys):
    certificate, *_ = make_certificate()
    url = certificate.snapshot["verify_url"]
    token = url.split("#")[1]
    flipped = token[:100] + ("A" if token[100] != "A" else "B") + token[101:]
    assert certificates.verify_token(url.split("#")[0] + "#" + flipped).status == "unknown"
    other_id = certificates.new_certificate_id()
    mismatch = certificates.verify_token(url.replace(certificate.id, other_id, 1))
    assert (mismatch.status, mismatch.reason) == ("unknown", "id_mismatch")
    assert certificates.verify_token("garbage").reason == "malformed"


def test_a_certificate_signed_before_a_rotation_stays_valid(keys):
    modules = make_modules(1)
    certificate, *_ = make_certificate(modules)
    signing.rotate_keys()
    db.session.flush()
    assert certificates.verify_token(certificate.snapshot["verify_url"]).status == "valid"
    newer, *_ = make_certificate(modules)
    assert newer.signing_key_id != certificate.signing_key_id
    assert certificates.verify_token(newer.snapshot["verify_url"]).status == "valid"


# --- recording the marriage ------------------------------------------------------------------

def test_an_officiant_records_the_marriage_once_and_the_second_attempt_says_who_and_when(keys):
    certificate, couple, *_ = make_certificate()
    officiant = factories.make_user(roles=("officiant",), full_name="Pdt. Yakobus Contoh")
    other = factories.make_user(roles=("officiant",))

    certificates.record_marriage(certificate, officiant, marriage_date=clock.today(),
                                 institution_type="gereja", institution_name="Jemaat Contoh Kota")

    assert certificates.status_of(certificate) == "used"
    assert certificates.verify_token(certificate.snapshot["verify_url"]).status == "used"
    with pytest.raises(certificates.MarriageAlreadyRecorded) as error:
        certificates.record_marriage(certificate, other, marriage_date=clock.today(),
                                     institution_type="gereja", institution_name="Jemaat Lain")
    assert "Pdt. Yakobus Contoh" in str(error.value)
    assert certificate.marriage_institution_name == "Jemaat Contoh Kota"


def test_a_stale_second_recording_is_refused_by_the_conditional_update(keys):
    certificate, *_ = make_certificate()
    officiant = factories.make_user(roles=("officiant",), full_name="Imam Contoh")
    db.session.commit()
    # Someone else recorded it a moment ago; this request still holds the old state.
    db.session.execute(db.update(Certificate).where(Certificate.id == certificate.id)
                       .values(used_at=utcnow(), used_by_id=officiant.id, marriage_date=clock.today(),
                               marriage_institution_name="KUA Oebobo"))
    with pytest.raises(certificates.MarriageAlreadyRecorded):
        certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)),
                                     marriage_date=clock.today(), institution_type="masjid_kua",
                                     institution_name="KUA Maulafa")


@pytest.mark.parametrize("change, field", [
    (lambda c: dict(marriage_date=clock.today() + timedelta(days=1)), "marriage_date"),
    (lambda c: dict(marriage_date=clock.local_date(c.issued_at) - timedelta(days=2)), "marriage_date"),
    (lambda c: dict(institution_name="  "), "institution_name"),
])
def test_a_marriage_date_in_the_future_or_before_issue_is_refused(keys, change, field):
    certificate, *_ = make_certificate()
    values = dict(marriage_date=clock.today(), institution_type="gereja", institution_name="Jemaat Contoh")
    values.update(change(certificate))
    with pytest.raises(DomainError) as error:
        certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)), **values)
    assert error.value.field == field
    assert certificates.status_of(certificate) == "valid"


def test_only_officiants_record_and_never_on_a_revoked_certificate(keys):
    certificate, couple, first, second = make_certificate()
    values = dict(marriage_date=clock.today(), institution_type="gereja", institution_name="Jemaat Contoh")
    with pytest.raises(DomainError):
        certificates.record_marriage(certificate, first, **values)
    certificates.revoke_certificate(certificate, factories.make_user(roles=("reviewer",)), "other")
    with pytest.raises(DomainError):
        certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)), **values)


# --- the status list and the API JSON --------------------------------------------------------

def test_the_status_list_holds_hashes_of_revoked_and_used_ids_never_the_ids(keys):
    """Issue 12 point 9: truncated SHA-256 of each id (16 bytes), a revocation's reason
    category; no id, marriage date or institution anywhere in the list."""
    modules = make_modules(1)
    revoked, *_ = make_certificate(modules)
    used, *_ = make_certificate(modules)
    valid, *_ = make_certificate(modules)
    certificates.revoke_certificate(revoked, factories.make_user(roles=("reviewer",)), "false_document")
    certificates.record_marriage(used, factories.make_user(roles=("officiant",)), marriage_date=clock.today(),
                                 institution_type="gereja", institution_name="Jemaat Contoh")

    data = certificates.status_list()

    revoked_hash = hashlib.sha256(signing.b32decode(revoked.id)).digest()[:16]
    used_hash = hashlib.sha256(signing.b32decode(used.id)).digest()[:16]
    assert certificates.id_hash(revoked.id) == revoked_hash
    assert data["version"] == 2
    assert data["revoked"] == [{"id_hash": revoked_hash.hex(), "reason": "false_document"}]
    assert data["used"] == [{"id_hash": used_hash.hex()}]
    key, payload = signing.verify_sign1(signing.b64url_decode(data["signed"]), signing.find_key_by_kid,
                                        content_type=signing.STATUS_LIST_CONTENT_TYPE)
    decoded = signing.cbor2.loads(payload)
    assert set(decoded) == {1, 2, 3, 4} and decoded[1] == 2
    assert decoded[3] == [[revoked_hash, "false_document"]]
    assert decoded[4] == [used_hash]
    assert data["kid"] == key.kid
    published = json.dumps(data) + payload.hex()
    for secret in (revoked.id, used.id, signing.b32decode(used.id).hex(), "Jemaat Contoh", "gereja"):
        assert secret not in published and secret.lower() not in published
    later = valid.expires_at + timedelta(days=1)
    assert certificates.status_list(now=later)["revoked"] == []  # expired ones drop out


def test_the_anonymous_api_status_says_status_and_validity_only(keys):
    certificate, couple, first, second = make_certificate()
    certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)), marriage_date=clock.today(),
                                 institution_type="gereja", institution_name="Jemaat Contoh")
    data = certificates.api_status(certificate.id.lower())
    assert data == {"id": certificate.id, "status": "used", "issued_at": signing.iso(certificate.issued_at),
                    "expires_at": signing.iso(certificate.expires_at)}
    unknown = certificates.api_status(certificates.new_certificate_id())
    assert unknown["status"] == "unknown" and set(unknown) == set(data)


def test_staff_get_the_marriage_record_and_the_revocation_but_no_names(keys):
    certificate, couple, first, second = make_certificate()
    certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)), marriage_date=clock.today(),
                                 institution_type="gereja", institution_name="Jemaat Contoh")
    data = certificates.api_status(certificate.id, staff=True)
    assert data["used"]["institution_name"] == "Jemaat Contoh"
    assert data["used"]["marriage_date"] == clock.today().isoformat()
    assert data["revoked"] is None
    assert first.full_name not in str(data) and certificates.mask_name(first.full_name) not in str(data)
    assert certificates.api_status("nonsense", staff=True) == {
        "id": None, "status": "unknown", "issued_at": None, "expires_at": None, "used": None, "revoked": None}


# --- privacy, demo ---------------------------------------------------------------------------

def test_no_names_or_tokens_reach_the_logs(keys, caplog):
    caplog.set_level(logging.DEBUG)
    certificate, couple, first, second = make_certificate()
    certificates.verify_token(certificate.snapshot["verify_url"])
    certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)), marriage_date=clock.today(),
                                 institution_type="gereja", institution_name="Jemaat Contoh")
    certificates.status_list()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    token = certificates.token_text(certificate)
    for secret in (first.full_name, second.full_name, token[:40], first.full_name.split()[0]):
        assert secret not in logged
    assert certificate.id in logged  # the random id is what operators need


def test_the_demo_certificate_is_made_once_through_the_eligibility_rules(keys, app):
    content.load_content(str(Path(__file__).resolve().parents[2] / "content"))

    first = demo.create_demo()["certificate"]
    again = demo.create_demo()["certificate"]
    assert first == again
    certificate = db.session.get(Certificate, first["id"])
    assert certificates.status_of(certificate) == "valid"
    assert first["verify_url"] == certificate.snapshot["verify_url"]
    assert certificates.verify_token(first["verify_url"]).status == "valid"
    assert all(m["best_score"] is not None for p in certificate.snapshot["people"] for m in p["modules"])


def test_an_unknown_key_id_and_a_wrong_key_each_verify_as_unknown_with_their_reason(keys):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    certificate, *_ = make_certificate()
    claims = certificates.verify_token(certificate.snapshot["verify_url"]).claims
    stranger = Ed25519PrivateKey.generate()

    class Unpublished:
        kid_bytes = bytes.fromhex(signing.kid_for(stranger.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)))

    unknown = signing.b32encode(signing.certificate_token(claims, Unpublished(), stranger))
    wrong = signing.b32encode(signing.certificate_token(claims, keys, stranger))  # published kid, other key

    assert (certificates.verify_token(unknown).status, certificates.verify_token(unknown).reason) == ("unknown", "unknown_key")
    assert (certificates.verify_token(wrong).status, certificates.verify_token(wrong).reason) == ("unknown", "bad_signature")


# --- which modules a certificate requires is data (issue 11 point 3) --------------------------

def make_optional_module():
    return factories.make_module(lessons=1, questions=4, questions_per_attempt=2, multiple=0,
                                 required=False)


def test_an_optional_module_does_not_block_eligibility(keys_dir):
    modules = make_modules(2)
    optional = make_optional_module()
    couple, *_ = make_ready_couple(modules)  # nobody opened the optional module

    result = certificates.eligibility(couple)

    assert result.eligible is True, result.missing
    assert all(optional.title not in str(m.message) for m in result.missing)


def test_a_required_module_blocks_eligibility(keys_dir):
    modules = make_modules(2)
    make_optional_module()
    couple, first, second = make_ready_couple(modules, pass_all=False)

    missing = certificates.eligibility(couple).missing

    assert [(m.code, m.user) for m in missing] == [("modules", second)]
    assert modules[-1].title in str(missing[0].message)


def test_only_optional_modules_means_no_modules_are_available_for_a_certificate(keys_dir):
    optional = [make_optional_module()]
    couple, *_ = make_ready_couple(optional)

    assert "modules" in missing_codes(couple)


def test_the_snapshot_records_which_modules_were_required_and_the_pdf_prints_those(keys):
    modules = make_modules(2)
    optional = make_optional_module()
    couple, first, second = make_ready_couple(modules)
    certificate = certificates.live_certificate(couple)
    assert certificate is not None

    for person in certificate.snapshot["people"]:
        flags = {m["code"]: m["required"] for m in person["modules"]}
        assert flags == {modules[0].code: True, modules[1].code: True, optional.code: False}
    # Later content changes never reach the frozen snapshot.
    optional.required = True
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Certificate, certificate.id)
    assert {m["code"] for m in again.snapshot["people"][0]["modules"] if m["required"]} \
        == {m.code for m in modules}
    text = " ".join(PdfReader(io.BytesIO(again.pdf)).pages[0].extract_text().split())
    assert modules[0].title in text and modules[1].title in text
    assert optional.title not in text
    assert certificate_pdf.render(again.snapshot) == again.pdf
