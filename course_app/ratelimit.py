"""Fixed-window rate limiting with one Redis round trip a request instead of three.

Flask-Limiter's fixed window counts a request with one script call (`INCRBY` + `EXPIRE`),
then, for the `X-RateLimit-*` and `Retry-After` headers, asks Redis again for the count
(`GET`) and for the window's end (`TTL`). The script here counts and answers the window's
end in the same call; the figures are kept in `g` for this request's headers only (nothing
outlives the request). The limit itself is decided exactly as before: on the counter Redis
returns. Other storages (memory:// in tests, Sentinel, Cluster) use the stock strategy.
"""
import time

from flask import g, has_app_context
from limits.storage import RedisStorage
from limits.strategies import STRATEGIES, FixedWindowRateLimiter
from limits.util import WindowStats

STRATEGY = "fixed-window-one-trip"

INCR_EXPIRE_TTL = """
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""


class OneTripFixedWindowRateLimiter(FixedWindowRateLimiter):
    """`fixed-window`, with the window's figures from the counting call itself."""

    _script = None

    def _one_trip(self):
        return type(self.storage) is RedisStorage and has_app_context()

    def hit(self, item, *identifiers, cost=1):
        if not self._one_trip():
            return super().hit(item, *identifiers, cost=cost)
        if self._script is None:
            self._script = self.storage.get_connection().register_script(INCR_EXPIRE_TTL)
        key = self.storage.prefixed_key(item.key_for(*identifiers))
        current, ttl = (int(n) for n in self._script([key], [item.get_expiry(), cost]))
        windows = g.setdefault("_rate_limit_windows", {})
        windows[key] = WindowStats(max(ttl, 0) + time.time(), max(0, item.amount - current))
        return current <= item.amount

    def get_window_stats(self, item, *identifiers):
        if self._one_trip():
            key = self.storage.prefixed_key(item.key_for(*identifiers))
            window = g.get("_rate_limit_windows", {}).get(key)
            if window is not None:
                return window
        return super().get_window_stats(item, *identifiers)


STRATEGIES.setdefault(STRATEGY, OneTripFixedWindowRateLimiter)
