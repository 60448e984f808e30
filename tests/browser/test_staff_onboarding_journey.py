"""Tried as a new user would (issue 12): as admin, onboard three officiants from a CSV; as one
of them, set the password from the invitation email, open the scanner, open a certificate's
QR link and record the marriage — with the officiant's own institution recorded beside it."""
import re

from course_app.extensions import db
from course_app.models.certificates import Certificate
from course_app.services import clock

from .. import factories
from ..mailbox import Outbox
from .conftest import log_in
from .test_certificates import issue_with_people, link_parts

OFFICIANTS_CSV = (
    "nama,email,jenis_lembaga,nama_lembaga\n"
    "Pdt. Yohana Sintetis,yohana.sintetis@example.org,gereja,GMIT Jemaat Contoh Kota Baru\n"
    "Ustaz Harun Sintetis,harun.sintetis@example.org,Masjid / KUA,KUA Kecamatan Contoh\n"
    "Romo Paulus Sintetis,paulus.sintetis@example.org,GEREJA,Paroki Contoh Santo Yosef\n"
)


def test_an_admin_onboards_officiants_from_a_csv_and_one_records_a_marriage(phone, tmp_path, live_keys, shot):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    outbox = Outbox()
    outbox.clear()

    desk = phone()
    log_in(desk, admin)
    desk.goto("/admin/pengguna/impor")
    sample = tmp_path / "petugas.csv"
    sample.write_text(OFFICIANTS_CSV, encoding="utf-8")
    desk.set_input_files("input[type=file]", str(sample))
    desk.click("main form button[type=submit]")
    desk.wait_for_load_state()
    shot(desk, "01-preview")
    confirm = desk.locator("form[action$='/konfirmasi'] button[type=submit]")
    assert "3" in confirm.inner_text()
    confirm.click()
    desk.wait_for_load_state()
    shot(desk, "02-created")

    invitations = {str(m["To"]): m.get_content() for m in outbox}
    assert set(invitations) == {"yohana.sintetis@example.org", "harun.sintetis@example.org",
                                "paulus.sintetis@example.org"}
    [link] = re.findall(r"https?://\S+/undangan/\S+", invitations["yohana.sintetis@example.org"])
    path = "/" + link.split("/", 3)[3]

    officiant = phone()
    officiant.goto(path)
    officiant.fill("#password", "Tiga-Kata-Mudah-Diingat")
    officiant.fill("#password_confirm", "Tiga-Kata-Mudah-Diingat")
    officiant.click("main form button[type=submit]")
    officiant.wait_for_url("**/masuk")
    officiant.fill("#email", "yohana.sintetis@example.org")
    officiant.fill("#password", "Tiga-Kata-Mudah-Diingat")
    officiant.click("main form button[type=submit]")
    officiant.wait_for_url("**/verify/scan")  # an officiant's home is the scanner
    officiant.wait_for_selector("#scan-page[data-ready=yes]")
    shot(officiant, "03-scanner")

    certificate, *_ = issue_with_people()
    cid, token = link_parts(certificate)
    officiant.goto(f"/V/{cid}#{token}")  # what the phone's camera opens from the QR
    officiant.wait_for_selector("#verify-page[data-token-check=valid]")
    officiant.fill("#marriage_date", clock.today().isoformat())
    officiant.fill("#institution_name", "GMIT Jemaat Contoh Kota Baru")
    officiant.click("#marriage-section button[type=submit]")
    officiant.wait_for_load_state()
    assert "SUDAH DIPAKAI" in officiant.locator("#server-verdict").inner_text()
    assert "Pernikahan dicatat" in officiant.locator(".flash-success").inner_text()
    shot(officiant, "04-recorded")

    db.session.expire_all()
    recorded = db.session.get(Certificate, cid)
    assert recorded.used_by.email == "yohana.sintetis@example.org"
    assert recorded.used_by_institution_name == "GMIT Jemaat Contoh Kota Baru"
