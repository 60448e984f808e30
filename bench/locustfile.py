"""Users for `make load` (bench/load.py starts locust with this file; not run on its own).

Participants log in (with the login page's CSRF token, as production requires), start a quiz
attempt, answer every question and submit; officiants verify certificates on the page and the
status API at once. What the server must hold afterwards is checked by bench/load.py: the
attempts each participant saw accepted are written to LOAD_OUTCOME when the run stops.
"""
import json
import os
import random
import re

from locust import HttpUser, between, events, task

SEED = json.loads(open(os.environ["LOAD_SEED"]).read())
ACCEPTED = []  # attempt ids whose submission redirected to the result page
REFUSED = []   # (attempt id, where it went instead)
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ANSWER = re.compile(r'name="(q-\d+)" value="(\d+)"')
_ATTEMPT = re.compile(r"/materi/kuis/(\d+)$")
_accounts = iter(SEED["participants"])


def token(response):
    match = _TOKEN.search(response.text)
    if match is None:
        response.failure("no CSRF token on the page")
        return None
    return match.group(1)


class Participant(HttpUser):
    weight = 3
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.email = next(_accounts)
        with self.client.get("/masuk", name="/masuk", catch_response=True) as page:
            csrf = token(page)
        self.client.post("/masuk", name="/masuk [POST]", allow_redirects=False,
                         data={"email": self.email, "password": SEED["password"], "csrf_token": csrf})

    @task
    def take_a_quiz(self):
        code = random.choice(SEED["modules"])
        with self.client.get(f"/materi/{code}/kuis", name="/materi/<code>/kuis", catch_response=True) as page:
            csrf = token(page)
        if csrf is None:
            return
        start = self.client.post(f"/materi/{code}/kuis/mulai", name="/materi/<code>/kuis/mulai",
                                 data={"csrf_token": csrf}, allow_redirects=False)
        match = _ATTEMPT.search(start.headers.get("Location", ""))
        if match is None:
            return  # refused (a flash says why): nothing to submit
        attempt_id = int(match.group(1))
        with self.client.get(f"/materi/kuis/{attempt_id}", name="/materi/kuis/<id>", catch_response=True) as page:
            csrf = token(page)
            answers = {}
            for name, value in _ANSWER.findall(page.text):
                answers.setdefault(name, value)  # one option each; checkboxes take the first too
        if csrf is None:
            return
        submitted = self.client.post(f"/materi/kuis/{attempt_id}", name="/materi/kuis/<id> [POST]",
                                     data={**answers, "csrf_token": csrf}, allow_redirects=False)
        location = submitted.headers.get("Location", "")
        if submitted.status_code == 302 and location.endswith(f"/materi/kuis/{attempt_id}/hasil"):
            ACCEPTED.append(attempt_id)
        else:
            REFUSED.append((attempt_id, submitted.status_code, location))


class Officiant(HttpUser):
    weight = 2
    wait_time = between(0.05, 0.3)

    @task(3)
    def page(self):
        self.client.get(f"/v/{random.choice(SEED['certificates'])}", name="/v/<id>")

    @task(2)
    def api(self):
        self.client.get(f"/api/v1/certificates/{random.choice(SEED['certificates'])}",
                        name="/api/v1/certificates/<id>")


@events.test_stop.add_listener
def write_outcome(**_kwargs):
    with open(os.environ["LOAD_OUTCOME"], "w") as out:
        json.dump({"accepted": ACCEPTED, "refused": REFUSED}, out)
