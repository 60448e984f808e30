"""What a verification page cannot avoid: the measured reason behind the `/v/<id>` ratio row.

product §9 asks `/v/<id>` for ≥ 0.5 × the throughput of a trivial route under gunicorn. At
0.5 ×, the page may cost the machine one trivial request more than the trivial route does:
`cores / trivial req/s` of CPU (wrk, gunicorn and the kernel included). bench/verify_http.py
measures that allowance; this module measures, in one production-configured process calling
the WSGI app directly, what any page in the same position must pay on top of the trivial
route, piece by piece, over the same 5,000 ids:

- the rate limit (Flask-Limiter on Redis: one round trip, as in production);
- reading the certificate (the service the page uses, a fresh session per request);
- rendering an empty page from base.html (header, menu, language form, footer);
- and the whole `/v/<id>` page.

The first three are the floor: a server-rendered, rate-limited page that reads the database
can't cost less with this stack. If the floor exceeds the allowance, 0.5 × is out of reach
without a response cache — which first scans of distinct ids can't use (issue 10, point 7: the
page keeps no state; visitors' browsers and shared caches may reuse it for `PUBLIC_MAX_AGE`).

The probe routes are registered on this process's app only, never on the product's.
Run by verify_http.py as `python -m bench.verify_floor <ids file>` with the production env.
"""
import json
import sys
import time

REQUESTS = 3000


def _probe_app():
    from flask import render_template

    from course_app import create_app
    from course_app.extensions import limiter
    from course_app.services import certificates
    from course_app.verify.routes import verify_rate_limit

    app = create_app()
    empty_page = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

    def limited(cid):
        return "ok"

    def read(cid):
        return certificates.status_of(certificates.get_certificate(cid))

    def shell(cid):
        return render_template(empty_page)  # compiled once, as the app's own templates are

    app.add_url_rule("/_probe/limited/<cid>", "probe_limited", limiter.limit(verify_rate_limit)(limited))
    app.add_url_rule("/_probe/read/<cid>", "probe_read", read)
    app.add_url_rule("/_probe/shell/<cid>", "probe_shell", shell)
    return app


def _per_request_ms(app, paths, requests=REQUESTS):
    """Mean ms of CPU-bound WSGI calls (warm-up first), cycling through `paths`."""
    from werkzeug.test import EnvironBuilder

    environs = [EnvironBuilder(path=p, base_url="http://127.0.0.1").get_environ() for p in paths[:requests]]

    def run(count):
        begin = time.perf_counter()
        for n in range(count):
            status = []
            body = app(dict(environs[n % len(environs)]), lambda s, h, e=None, out=status: out.append(s))
            b"".join(body)
            if hasattr(body, "close"):
                body.close()
            if not status[0].startswith("200"):
                raise RuntimeError(f"{paths[n % len(paths)]}: {status[0]}")
        return (time.perf_counter() - begin) / count * 1000

    run(min(300, requests))
    return run(requests)


def measure(ids):
    app = _probe_app()
    trivial = _per_request_ms(app, ["/healthz"])
    pieces = {name: _per_request_ms(app, [f"/_probe/{name}/{i}" for i in ids]) - trivial
              for name in ("limited", "read", "shell")}
    page = _per_request_ms(app, [f"/v/{i}" for i in ids]) - trivial
    return {"trivial_ms": trivial, "extra_ms": pieces, "page_extra_ms": page}


if __name__ == "__main__":
    ids = [line for line in open(sys.argv[1]).read().split() if line]
    print(json.dumps(measure(ids)))
