"""`flask keys generate|rotate|list` and `flask certificates verify|revoke|issue-pending`
(issue 4 points 4, 10; issue 10 point 2)."""
import os
import stat

from course_app.extensions import db
from course_app.models.certificates import SigningKey
from course_app.services import certificates, signing
from tests.certificate_builders import (  # noqa: F401
    keys_dir_fixture,
    keys_fixture,
    make_certificate,
    make_modules,
    make_ready_couple,
)
from tests.mailbox import Outbox


def test_keys_generate_writes_a_0600_file_and_publishes_the_public_key(runner, keys_dir):
    result = runner.invoke(args=["keys", "generate"])
    assert result.exit_code == 0, result.output
    [key] = db.session.scalars(db.select(SigningKey)).all()
    path = keys_dir / f"{key.kid}.pem"
    assert f"generated signing key {key.kid}" in result.output and str(path) in result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()


def test_keys_generate_if_missing_makes_one_key_only(runner, keys_dir):
    first = runner.invoke(args=["keys", "generate", "--if-missing"])
    second = runner.invoke(args=["keys", "generate", "--if-missing"])
    assert first.exit_code == second.exit_code == 0
    assert "already present" in second.output
    assert db.session.scalar(db.select(db.func.count()).select_from(SigningKey)) == 1


def test_keys_rotate_and_list(runner, keys):
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert f"retired {keys.kid}" in result.output
    listing = runner.invoke(args=["keys", "list"]).output
    assert keys.kid in listing and "(active)" in listing and listing.count("yes") == 2


def test_keys_list_shows_a_key_whose_file_is_not_on_this_host(runner, keys):
    signing.key_path(keys.kid).unlink()
    assert "MISSING" in runner.invoke(args=["keys", "list"]).output


def test_certificates_verify_exits_0_only_for_valid(runner, keys):
    modules = make_modules(1)
    certificate, *_ = make_certificate(modules)
    db.session.commit()
    url = certificate.snapshot["verify_url"]

    valid = runner.invoke(args=["certificates", "verify", url])
    assert valid.exit_code == 0, valid.output
    assert "status: valid" in valid.output and f"id: {certificate.id}" in valid.output
    assert certificate.snapshot["people"][0]["name"] not in valid.output  # masked
    # format 2: the birth dates follow the masked names, in their order, for the KTP
    born = ", ".join(person["birth_date"] for person in certificate.snapshot["people"])
    assert "format: 2" in valid.output and f"born: {born}" in valid.output

    bare = runner.invoke(args=["certificates", "verify", url.split("#")[1]])
    assert bare.exit_code == 0 and "status: valid" in bare.output

    token = url.split("#")[1]
    tampered = url.split("#")[0] + "#" + token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    refused = runner.invoke(args=["certificates", "verify", tampered])
    assert refused.exit_code == 1 and "status: unknown" in refused.output


def test_certificates_revoke_by_reason_then_verify_says_revoked(runner, keys, app):
    certificate, couple, first, second = make_certificate()
    db.session.commit()
    outbox = Outbox()
    outbox.clear()

    result = runner.invoke(args=["certificates", "revoke", certificate.id.lower(), "--reason", "couple_request"])

    assert result.exit_code == 0, result.output
    assert len(outbox) == 2
    verify = runner.invoke(args=["certificates", "verify", certificate.snapshot["verify_url"]])
    assert verify.exit_code == 1 and "status: revoked" in verify.output and "couple_request" in verify.output
    again = runner.invoke(args=["certificates", "revoke", certificate.id, "--reason", "other"])
    assert again.exit_code == 1 and "sudah dicabut" in again.output


def test_certificates_revoke_refuses_an_unknown_reason_or_id(runner, keys):
    assert runner.invoke(args=["certificates", "revoke", "AAAAAAAAAAAAAAAA", "--reason", "bosan"]).exit_code == 2
    missing = runner.invoke(args=["certificates", "revoke", certificates.new_certificate_id(), "--reason", "other"])
    assert missing.exit_code == 1 and "no certificate" in missing.output


def test_certificates_issue_pending_issues_what_is_due_and_fails_loudly_without_a_key(runner, keys_dir):
    couple, first, second = make_ready_couple(make_modules(1))
    db.session.commit()

    without_key = runner.invoke(args=["certificates", "issue-pending"])
    assert without_key.exit_code == 1
    assert f"couple {couple.id} is eligible but its certificate could not be issued" in without_key.output
    assert "0 issued, 1 failed" in without_key.output

    signing.generate_key()
    db.session.commit()
    result = runner.invoke(args=["certificates", "issue-pending"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    certificate = certificates.live_certificate(couple)
    assert f"issued {certificate.id} for couple {couple.id}" in result.output

    again = runner.invoke(args=["certificates", "issue-pending"])
    assert again.exit_code == 0 and "0 issued, 0 failed" in again.output
    for person in (first, second):
        assert person.full_name not in result.output + without_key.output
