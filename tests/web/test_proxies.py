"""Rate limits that count (product §8, issue 9 point 8): behind a proxy, X-Forwarded-For is
believed only from the proxy and only for as many hops as there are proxies; production refuses
per-process counters."""
import secrets

import pytest

from config import ProductionConfig

NGINX = "127.0.0.1"          # the proxy on the same host (TRUSTED_PROXY_ADDRESSES default)
REAL_CLIENT = "203.0.113.7"  # documentation range: a phone on mobile data


def spoofed():
    return ".".join(str(secrets.randbelow(254) + 1) for _ in range(4))


def login_attempts(browser, count, environ, forwarded):
    codes = []
    for _ in range(count):
        response = browser.post("/masuk", data={"email": "tidak.ada@contoh.test", "password": "salah-salah"},
                                environ_base=environ, headers={"X-Forwarded-For": forwarded()})
        codes.append(response.status_code)
    return codes


@pytest.fixture
def limited(make_app):
    return make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", TRUST_PROXY=1)


def test_a_spoofed_forwarded_for_through_the_proxy_does_not_reset_the_limit(limited):
    # nginx appends the address it saw; whatever the client wrote before it is the client's own.
    codes = login_attempts(limited.test_client(), 5, {"REMOTE_ADDR": NGINX},
                           lambda: f"{spoofed()}, {REAL_CLIENT}")
    assert codes == [200, 200, 200, 429, 429]


def test_a_client_reaching_the_app_directly_cannot_choose_its_address(limited):
    codes = login_attempts(limited.test_client(), 5, {"REMOTE_ADDR": "198.51.100.9"}, spoofed)
    assert codes == [200, 200, 200, 429, 429]


def test_two_people_behind_the_proxy_are_counted_apart(limited):
    browser = limited.test_client()
    first = login_attempts(browser, 4, {"REMOTE_ADDR": NGINX}, lambda: "203.0.113.7")
    second = login_attempts(browser, 1, {"REMOTE_ADDR": NGINX}, lambda: "203.0.113.8")
    assert first == [200, 200, 200, 429] and second == [200]


def test_two_proxies_take_two_hops(make_app):
    two = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", TRUST_PROXY=2)
    codes = login_attempts(two.test_client(), 4, {"REMOTE_ADDR": NGINX},
                           lambda: f"{spoofed()}, {REAL_CLIENT}, 10.0.0.2")
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("value,hops", [("", 0), ("0", 0), ("1", 1), ("2", 2), ("true", 1), ("false", 0)])
def test_trust_proxy_is_a_number_of_proxies(monkeypatch, value, hops):
    import config as config_module
    monkeypatch.setenv("TRUST_PROXY", value)
    assert config_module._env_proxies("TRUST_PROXY", 0) == hops


def production_settings(**settings):
    values = {"SECRET_KEY": secrets.token_urlsafe(48), "RATELIMIT_ENABLED": True,
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "MAIL_SERVER": "smtp.contoh.test"}
    values.update(settings)
    return values


def test_production_refuses_per_process_rate_limit_counters():
    with pytest.raises(RuntimeError) as refused:
        ProductionConfig.check(production_settings(RATELIMIT_STORAGE_URI="memory://"))
    assert "redis://" in str(refused.value) and "RATELIMIT_ALLOW_MEMORY" in str(refused.value)


def test_production_accepts_memory_counters_when_told_it_is_one_process():
    ProductionConfig.check(production_settings(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ALLOW_MEMORY=True))
    ProductionConfig.check(production_settings())  # Redis
