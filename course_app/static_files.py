"""Fingerprinted static files: a repeat visit asks the server for none of them (product §9).

`url_for('static', filename='css/app.css')` gives `/static/<hash>/css/app.css`, where the hash
is taken from the file's contents when the app starts. That URL names those bytes for ever, so
it is served with `Cache-Control: public, max-age=31536000, immutable`; a new version of the
file gets a new URL, which the next page (HTML is never cached that long) links.

The hash is a directory in front of the path, not a part of the file name, because vendored ES
modules import their siblings by relative path (noble-hashes' `sha2.js` imports `./_md.js`):
a module loaded from `/static/<hash>/vendor/noble-hashes-2.0.1/sha2.js` asks for
`/static/<hash>/vendor/noble-hashes-2.0.1/_md.js`. So every file of a vendored package
(`static/vendor/<name>-<version>/`) carries the package's hash, computed over all its files;
any other file is hashed alone (a change to lesson.js does not move app.css).

- `/static/<hash>/<path>` with the current hash: the file, cached a year, immutable.
- `/static/<path>` (no hash, as an old page or a hand-written link asks): the file,
  `no-cache` (the browser revalidates: 304 when unchanged).
- `/static/<other hash>/<path>`: 404. A hashed URL never answers with other bytes than the
  ones it names, and never points elsewhere: a service worker installing during a rolling
  upgrade fails and retries instead of keeping the wrong file under that URL
  (docs/deploy.md: nginx asks another app host on a 404).

Hashes are computed once, at start (no disk reads to build a URL). A file changed on disk
after that (a `git pull` before the workers restart) is still served under its old URL, but
`no-cache` rather than immutable, so no browser keeps bytes under a hash they do not match; in
development the hashes are recomputed when a file changes, so an edit shows at the next load.
"""
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import abort, g, send_from_directory
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import NotFound

#: Hex digits of SHA-256 kept in a URL: 48 bits tell versions of one file apart.
HASH_LENGTH = 12
HASH_PATTERN = re.compile(rf"[0-9a-f]{{{HASH_LENGTH}}}")
ONE_YEAR = 31_536_000
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int


def unit_of(filename):
    """Files that load one another by relative path share one hash: a vendored package."""
    parts = filename.split("/")
    if len(parts) > 2 and parts[0] == "vendor":
        return "/".join(parts[:2])
    return filename


class Fingerprints:
    """The hash of every file under a static folder, by its path relative to the folder."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.hashes = {}
        self.seen = {}
        self.scan()

    def _files(self):
        files = {}
        for directory, subdirectories, names in os.walk(self.folder):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
            for name in sorted(names):
                if not name.startswith("."):
                    path = Path(directory) / name
                    files[path.relative_to(self.folder).as_posix()] = path
        return files

    def scan(self):
        files = self._files()
        clash = [name for name in files if HASH_PATTERN.fullmatch(name.split("/", 1)[0])]
        if clash:  # such a path could not be told from a hashed URL
            raise RuntimeError(f"static file under a hash-like name: {clash[0]}")
        units = {}
        for filename in files:
            units.setdefault(unit_of(filename), []).append(filename)
        hashes, seen = {}, {}
        for members in units.values():
            digest = hashlib.sha256()
            for filename in members:
                stat = files[filename].stat()
                data = files[filename].read_bytes()
                seen[filename] = _Seen(stat.st_size, stat.st_mtime_ns)
                digest.update(f"{filename}\0{len(data)}\0".encode())
                digest.update(data)
            for filename in members:
                hashes[filename] = digest.hexdigest()[:HASH_LENGTH]
        self.hashes, self.seen = hashes, seen

    def hash_of(self, filename):
        return self.hashes.get(filename)

    def unchanged(self, filename):
        """Whether the file on disk is still the one hashed at start (one stat)."""
        try:
            stat = (self.folder / filename).stat()
        except OSError:
            return False
        return self.seen.get(filename) == _Seen(stat.st_size, stat.st_mtime_ns)

    def any_changed(self):
        """A file added, removed or changed since the last scan (a stat of each)."""
        files = self._files()
        return files.keys() != self.seen.keys() or not all(self.unchanged(name) for name in files)


class NoSessionForStaticFiles(SecureCookieSessionInterface):
    """Static files carry nothing personal, so no session is opened for them. An opened one
    (Flask-Login reads it after every request) adds `Vary: Cookie`, and a browser then fetches
    the file again whenever the session cookie has changed since, as it does at each page; and
    a refreshed session cookie must never ride on a response that shared caches keep."""

    def __init__(self, prefix):
        self.prefix = prefix

    def open_session(self, app, request):
        if request.path.startswith(self.prefix):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app):
    """Hash the static folder, make `url_for('static', …)` fingerprinted, serve both forms."""
    fingerprints = Fingerprints(app.static_folder)
    app.extensions["static_fingerprints"] = fingerprints
    if type(app.session_interface) is not SecureCookieSessionInterface:
        raise RuntimeError("another session interface: make NoSessionForStaticFiles wrap it")
    app.session_interface = NoSessionForStaticFiles(f"{app.static_url_path}/")

    @app.url_defaults
    def fingerprint_static_urls(endpoint, values):
        if endpoint == "static":
            filename = values.get("filename")
            digest = fingerprints.hash_of(filename)
            if digest:
                values["filename"] = f"{digest}/{filename}"

    def serve_static(filename):
        g.no_store = False  # the same file for everyone (also when `g` outlives a request)
        try:
            return _send(fingerprints, filename)
        except NotFound:
            g.no_store = True  # the error page may carry the signed-in person's menu
            raise

    app.view_functions["static"] = serve_static

    if app.config.get("APP_ENV") == "development":
        @app.before_request
        def rehash_edited_static_files():
            if fingerprints.any_changed():
                fingerprints.scan()


def _send(fingerprints, filename):
    head, _, rest = filename.partition("/")
    if not HASH_PATTERN.fullmatch(head):
        response = send_from_directory(fingerprints.folder, filename)
        response.headers["Cache-Control"] = REVALIDATE
        return response
    if not rest or fingerprints.hash_of(rest) != head:
        abort(404)
    response = send_from_directory(fingerprints.folder, rest)
    response.headers["Cache-Control"] = IMMUTABLE if fingerprints.unchanged(rest) else REVALIDATE
    return response
