"""The production rate-limit strategy against a real Redis (course_app/ratelimit.py): one round
trip a request, the same decisions and headers as Flask-Limiter's fixed window."""
import os
import secrets

import pytest
import redis

from course_app.extensions import limiter
from course_app.ratelimit import STRATEGY, OneTripFixedWindowRateLimiter

#: Database 14, emptied before and after each test; each pytest-xdist worker beyond the first
#: takes the one below (gw1 → 13), so no worker empties another's counters mid-test.
REDIS_URL = f"redis://127.0.0.1:6379/{14 - int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:])}"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@pytest.fixture
def redis_limited(make_app):
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_STRATEGY=STRATEGY,
                   VERIFY_RATE_LIMIT="3 per minute")
    connection.flushdb()


def random_id():
    return "".join(secrets.choice(ALPHABET) for _ in range(16))


def test_the_one_trip_fixed_window_limits_and_reports_like_the_stock_one(redis_limited):
    browser = redis_limited.test_client()
    answers = [browser.get(f"/api/v1/certificates/{random_id()}") for _ in range(5)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert all(a.headers["X-RateLimit-Limit"] == "3" for a in answers[:3])
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    # ...and it was this strategy that answered, through its one script call.
    assert isinstance(limiter.limiter, OneTripFixedWindowRateLimiter)
    assert limiter.limiter._script is not None


def test_the_one_trip_window_counts_in_redis_so_every_worker_shares_it(redis_limited):
    first, second = redis_limited.test_client(), redis_limited.test_client()
    codes = [c.get(f"/api/v1/certificates/{random_id()}").status_code for c in (first, second, first, second)]
    assert codes == [200, 200, 200, 429]
    assert redis.Redis.from_url(REDIS_URL).dbsize() >= 1
