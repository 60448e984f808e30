"""Believing X-Forwarded-* only from our own reverse proxies (product §8: rate limits that count).

werkzeug's ProxyFix trusts the last `TRUST_PROXY` hops of X-Forwarded-For from whoever sends
them. A client that reaches gunicorn directly, around nginx, could then pick its own address
for every request and never meet a rate limit. Here the headers count only when the connection
comes from one of TRUSTED_PROXY_ADDRESSES (loopback by default: nginx on the same host).
"""
from ipaddress import ip_address, ip_network

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


class TrustedProxies:
    def __init__(self, app, hops, addresses):
        self.app = app
        self.fixed = ProxyFix(app, x_for=hops, x_proto=1, x_host=1)
        self.networks = [ip_network(a.strip(), strict=False) for a in addresses.split(",") if a.strip()]

    def from_proxy(self, peer):
        try:
            address = ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self.from_proxy(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for header in FORWARDED_HEADERS:  # a direct client's own invention
            environ.pop(header, None)
        return self.app(environ, start_response)


def trust_proxies(app):
    hops = int(app.config.get("TRUST_PROXY") or 0)
    if hops > 0:
        app.wsgi_app = TrustedProxies(app.wsgi_app, hops, app.config["TRUSTED_PROXY_ADDRESSES"])
