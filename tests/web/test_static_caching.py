"""Fast repeat visits (issue 12 point 7, product §9): static files are linked by URLs that carry
their content hash and are kept a year (`immutable`); the plain URL still answers, revalidated;
a wrong hash is a 404; HTML, the service worker and the manifest are never kept that way."""
import json
import re
from pathlib import Path

import pytest

from course_app import static_files
from course_app.extensions import db
from course_app.services import quizzes

from .. import factories
from ..certificate_builders import keys_fixture, make_certificate  # noqa: F401

IMMUTABLE = "public, max-age=31536000, immutable"
FINGERPRINTED = re.compile(r"^/static/[0-9a-f]{12}/")
#: Everything a page asks for from /static/: stylesheets, scripts, pictures, icons, and the
#: modules and scripts that verify.js and scan.js load from data-* attributes.
STATIC_REF = re.compile(
    r'<(?:script[^>]+src|link[^>]+href|img[^>]+src)="(/static/[^"]+)"|data-(?:noble|sha2|jsqr)="([^"]+)"')
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"


def static_refs(html):
    return sorted({a or b for a, b in STATIC_REF.findall(html)})


@pytest.fixture
def pages_by_role(app, keys):
    """The main pages of each role, with the test client that may open them."""
    certificate, couple, first, second = make_certificate()
    module = factories.make_module()
    participant = factories.make_user()
    factories.make_couple(first=participant)
    factories.read_all_lessons(participant, module)
    attempt = quizzes.start_attempt(participant, module)
    caseworker = factories.make_user(roles=("caseworker",))
    factories.seed_caselog()
    db.session.commit()
    visitor = app.test_client()
    signed_in = {}
    for name, user in (("participant", participant), ("caseworker", caseworker)):
        signed_in[name] = app.test_client()
        factories.log_in(signed_in[name], user)
    return [
        (visitor, ["/", "/masuk", "/daftar", "/bantuan", "/verify/scan", f"/v/{certificate.id}"]),
        (signed_in["participant"], ["/beranda", "/materi/", f"/materi/{module.code}",
                                    f"/materi/{module.code}/pelajaran-1", f"/materi/{module.code}/kuis",
                                    f"/materi/kuis/{attempt.id}"]),
        (signed_in["caseworker"], ["/kasus/baru"]),
    ]


def test_every_static_file_a_page_links_is_fingerprinted_and_kept_a_year(pages_by_role):
    seen = set()
    for client, paths in pages_by_role:
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            refs = static_refs(response.get_data(as_text=True))
            assert any(ref.endswith("/css/app.css") for ref in refs), path
            for ref in refs:
                assert FINGERPRINTED.match(ref), (path, ref)
                seen.add(ref)
    for wanted in ("/js/app.js", "/js/quiz.js", "/js/countdown.js", "/js/caselog.js", "/js/scan.js",
                   "/js/verify.js", "/jsQR.js", "/noble-ed25519-3.2.0/index.js", "/sha2.js"):
        assert any(ref.endswith(wanted) for ref in seen), wanted
    fetch = pages_by_role[0][0]
    for ref in seen:
        response = fetch.get(ref)
        assert response.status_code == 200, ref
        assert response.headers["Cache-Control"] == IMMUTABLE, ref


def test_pages_themselves_are_never_kept_that_way(pages_by_role):
    for client, paths in pages_by_role:
        for path in paths:
            cache_control = client.get(path).headers["Cache-Control"]
            assert "immutable" not in cache_control and "31536000" not in cache_control, path
            # visitors' pages are asked again each time; signed-in pages are never stored;
            # the public verification page may be reused for 5 s (docs/api.md)
            assert cache_control in ("no-cache", "private, no-store", "public, max-age=5"), (path, cache_control)


def test_a_signed_in_person_gets_the_same_immutable_static_file_without_cookies(client, participant):
    """No `Vary: Cookie`: the session cookie changes from page to page, and a browser would
    fetch the file again each time; no Set-Cookie on what shared caches keep."""
    for url in (static_files_url(client, "css/app.css"), "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert "Set-Cookie" not in response.headers, url
    assert response.headers["Cache-Control"] == "no-cache"
    assert client.get(static_files_url(client, "css/app.css")).headers["Cache-Control"] == IMMUTABLE
    assert client.get("/beranda").status_code == 200  # still signed in


def static_files_url(client, filename):
    return f"/static/{client.application.extensions['static_fingerprints'].hash_of(filename)}/{filename}"


def test_the_plain_url_still_answers_and_is_revalidated(client):
    hashed = client.get(static_files_url(client, "css/app.css"))
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "no-cache"
    assert plain.get_data() == hashed.get_data()
    again = client.get("/static/css/app.css", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_a_wrong_hash_is_not_found_and_not_kept(client):
    fingerprints = client.application.extensions["static_fingerprints"]
    other_files_hash = fingerprints.hash_of("js/app.js")
    for path in ("/static/000000000000/css/app.css", f"/static/{other_files_hash}/css/app.css",
                 f"/static/{fingerprints.hash_of('css/app.css')}/css/nothing.css",
                 "/static/000000000000/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_a_file_changed_after_start_is_served_but_no_longer_immutable(client, monkeypatch):
    fingerprints = client.application.extensions["static_fingerprints"]
    url = static_files_url(client, "css/app.css")
    monkeypatch.setitem(fingerprints.seen, "css/app.css", static_files._Seen(size=1, mtime_ns=1))
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_service_worker_caches_the_urls_the_scan_page_asks_for_and_is_never_kept(client):
    worker = client.get("/verify/sw.js")
    manifest = client.get("/verify/manifest.webmanifest")
    assert worker.headers["Cache-Control"] == "no-cache"
    assert manifest.headers["Cache-Control"] == "no-cache"
    precache = json.loads(re.search(r"self.PK_PRECACHE = (\[.*?\]);", worker.get_data(as_text=True)).group(1))
    asked = static_refs(client.get("/verify/scan").get_data(as_text=True))
    assert asked and set(asked) <= set(precache)
    # the noble-hashes modules sha2.js imports by relative path: same hash, so in the cache too
    sha2 = next(ref for ref in asked if ref.endswith("/sha2.js"))
    for sibling in ("_md.js", "_u64.js", "utils.js"):
        assert sha2.replace("sha2.js", sibling) in precache
    icons = [icon["src"] for icon in json.loads(manifest.get_data(as_text=True))["icons"]]
    assert icons and all(FINGERPRINTED.match(src) for src in icons)


# --- the hash ------------------------------------------------------------------------------------

RELATIVE_IMPORT = re.compile(r"""(?:^|;|\s)(?:import|export)\b[^'"]*?\bfrom\s*['"](\.{1,2}/[^'"]+)['"]"""
                             r"""|\bimport\s*\(?\s*['"](\.{1,2}/[^'"]+)['"]""", re.M)


def test_vendored_modules_import_only_files_of_their_own_package_so_one_hash_serves_both():
    """A module at /static/<hash>/vendor/<package>/a.js importing ./b.js asks for
    /static/<hash>/vendor/<package>/b.js: right only while b.js carries the same hash."""
    fingerprints = static_files.Fingerprints(STATIC_DIR)
    checked = 0
    for module in (STATIC_DIR / "vendor").rglob("*.js"):
        source = module.relative_to(STATIC_DIR).as_posix()
        for a, b in RELATIVE_IMPORT.findall(module.read_text(encoding="utf-8")):
            target = (module.parent / (a or b)).resolve().relative_to(STATIC_DIR).as_posix()
            assert (STATIC_DIR / target).is_file(), (source, target)
            assert fingerprints.hash_of(target) == fingerprints.hash_of(source), (source, target)
            checked += 1
    assert checked >= 4  # sha2.js → _md.js, _u64.js, utils.js; _md.js → utils.js


def test_a_hash_changes_with_its_file_or_package_and_only_then(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "js").mkdir()
    package = tmp_path / "vendor" / "lib-1.0.0"
    package.mkdir(parents=True)
    (tmp_path / "css" / "app.css").write_text("body { color: black }")
    (tmp_path / "js" / "app.js").write_text("1;")
    (package / "index.js").write_text('import { x } from "./util.js";')
    (package / "util.js").write_text("export const x = 1;")
    fingerprints = static_files.Fingerprints(tmp_path)
    before = dict(fingerprints.hashes)
    assert before["vendor/lib-1.0.0/index.js"] == before["vendor/lib-1.0.0/util.js"]
    assert not fingerprints.any_changed()

    (package / "util.js").write_text("export const x = 2;")
    (tmp_path / "js" / "app.js").write_text("2;")
    assert fingerprints.any_changed()
    fingerprints.scan()

    after = fingerprints.hashes
    assert after["css/app.css"] == before["css/app.css"]
    assert after["js/app.js"] != before["js/app.js"]
    assert after["vendor/lib-1.0.0/index.js"] == after["vendor/lib-1.0.0/util.js"] != before["vendor/lib-1.0.0/index.js"]


def test_a_static_folder_named_like_a_hash_is_refused_at_start(tmp_path):
    (tmp_path / "0123456789ab").mkdir()
    (tmp_path / "0123456789ab" / "x.css").write_text("")
    with pytest.raises(RuntimeError, match="hash-like"):
        static_files.Fingerprints(tmp_path)
