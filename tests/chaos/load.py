"""The chaos test's clients: a mixed API and board workload that writes down what it was told.

A client is honest about what it knows. An answer is a fact; no answer (the
connection reset by a killed worker, a timeout) or a 503 leaves the outcome of
a write unknown, and a careful client finds out instead of guessing:

- a create is retried with the same body: the API refuses a second lead for
  the same contact and pipeline (409), so a retry can't duplicate, and a 409
  on a retry means an earlier attempt did land;
- a move is followed by reading the lead back (each client moves only its own
  leads, so what it reads is its own doing);
- an activity can't be retried safely (nothing makes it unique), so it is only
  marked unknown: the audit then accepts zero or one row for it, never two.
"""

import itertools
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

API_PAGES = ("/leads/", "/pipelines/", "/auth/")


@dataclass
class Ledger:
    """What the clients were told, and what they could not find out."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    no_answer: int = 0
    problems: list[str] = field(default_factory=list)  # answers that break the contract (any 5xx but a proper 503)
    created: dict[str, tuple[str, str]] = field(default_factory=dict)  # email -> (lead id, contact id)
    landed_earlier: set[str] = field(default_factory=set)  # emails whose retry was refused as a duplicate
    unknown_creates: set[str] = field(default_factory=set)
    activities: dict[str, str] = field(default_factory=dict)  # description -> activity id
    unknown_activities: set[str] = field(default_factory=set)
    moves: dict[str, list[str]] = field(default_factory=dict)  # lead id -> the stages it was moved to, in order
    unknown_moves: set[str] = field(default_factory=set)  # leads with a move whose outcome stayed unknown
    unavailable_at: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.no_answer

    def note(self, problem: str) -> None:
        with self.lock:
            self.problems.append(problem)


@dataclass
class World:
    base: str
    token: str
    session_cookie: str
    org: str
    pipeline: str
    stages: list[str]
    board_changes: str  # the board's poll URL path
    email_of_user: str


class Client(threading.Thread):
    WEIGHTS = {"list": 18, "detail": 10, "stats": 5, "board": 7, "token": 5, "create": 15, "move": 25, "activity": 15}

    def __init__(self, n: int, world: World, ledger: Ledger, own_leads: dict[str, str], stop: threading.Event):
        super().__init__(name=f"chaos-client-{n}", daemon=True)
        self.n = n
        self.world = world
        self.ledger = ledger
        self.current = dict(own_leads)  # lead id -> its stage, as far as this client knows
        self.stop = stop
        self.rng = random.Random(n)
        self.counter = itertools.count()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {world.token}"
        self.all_leads = list(own_leads)

    # --- one request ---------------------------------------------------------

    def call(self, method: str, path: str, **kwargs) -> requests.Response | None:
        try:
            response = self.http.request(method, self.world.base + path, timeout=15, **kwargs)
        except requests.RequestException:
            with self.ledger.lock:
                self.ledger.no_answer += 1
            return None
        with self.ledger.lock:
            self.ledger.statuses[response.status_code] += 1
        if response.status_code == 503:
            self._check_unavailable(method, path, response)
            with self.ledger.lock:
                self.ledger.unavailable_at.append(time.monotonic())
            time.sleep(0.2)  # as a client honouring Retry-After would, within the test's time
        elif response.status_code >= 500:
            self.ledger.note(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def _check_unavailable(self, method: str, path: str, response: requests.Response) -> None:
        if not response.headers.get("Retry-After", "").isdigit():
            self.ledger.note(f"{method} {path}: 503 without Retry-After")
        if path.startswith(API_PAGES):
            body = response.json()
            if (body.get("success"), body.get("statusCode"), body.get("error")) != (False, 503, "Service Unavailable"):
                self.ledger.note(f"{method} {path}: 503 outside the envelope: {response.text[:200]}")

    # --- the workload ---------------------------------------------------------

    def run(self) -> None:
        operations = list(self.WEIGHTS)
        weights = [self.WEIGHTS[name] for name in operations]
        while not self.stop.is_set():
            getattr(self, self.rng.choices(operations, weights)[0])()

    def list(self) -> None:
        self.call("GET", f"/leads/{self.world.org}", params={"limit": 20, "page": self.rng.randint(1, 3)})

    def detail(self) -> None:
        self.call("GET", f"/leads/{self.world.org}/{self.rng.choice(self.all_leads)}")

    def stats(self) -> None:
        self.call("GET", f"/leads/{self.world.org}/stats")

    def board(self) -> None:
        headers = {"Cookie": self.world.session_cookie, "HX-Request": "true", "Authorization": None}
        self.call("GET", self.world.board_changes, headers=headers)

    def token(self) -> None:
        body = {"email": self.world.email_of_user, "password": "not-the-password"}
        response = self.call("POST", "/auth/token", json=body, headers={"Authorization": None})
        if response is not None and response.status_code not in (401, 503):
            self.ledger.note(f"POST /auth/token with a wrong password: {response.status_code}")

    def create(self) -> None:
        email = f"chaos-{self.n}-{next(self.counter)}@example.com"
        body = {
            "contact": {"name": f"Chaos {email}", "email": email},
            "pipelineId": self.world.pipeline,
            "value": self.rng.randint(0, 10_000),
        }
        for attempt in range(5):
            response = self.call("POST", f"/leads/{self.world.org}/with-contact", json=body)
            if response is None or response.status_code == 503:
                time.sleep(0.2)
                continue
            with self.ledger.lock:
                if response.status_code == 201:
                    answer = response.json()
                    self.ledger.created[email] = (answer["lead"]["id"], answer["contact"]["id"])
                elif response.status_code == 409 and attempt > 0:
                    self.ledger.landed_earlier.add(email)
                else:
                    self.ledger.problems.append(f"create {email}: {response.status_code} {response.text[:200]}")
            return
        with self.ledger.lock:
            self.ledger.unknown_creates.add(email)

    def move(self) -> None:
        settled = [lead for lead in self.current if lead not in self.ledger.unknown_moves]
        if not settled:
            return
        lead = self.rng.choice(settled)
        target = self.rng.choice([stage for stage in self.world.stages if stage != self.current[lead]])
        response = self.call("POST", f"/leads/{self.world.org}/{lead}/move-stage", json={"stageId": target})
        if response is not None and response.status_code == 200:
            self._moved(lead, target)
            return
        if response is not None and response.status_code != 503:
            self.ledger.note(f"move {lead}: {response.status_code} {response.text[:200]}")
            return
        stage = self._stage_now(lead)  # no answer, or a 503: did it happen?
        if stage is None:
            with self.ledger.lock:
                self.ledger.unknown_moves.add(lead)
        elif stage == target:
            self._moved(lead, target)
        elif stage != self.current[lead]:
            self.ledger.note(f"move {lead}: it is in {stage}, neither where it was nor where it was sent")

    def _moved(self, lead: str, stage: str) -> None:
        self.current[lead] = stage
        with self.ledger.lock:
            self.ledger.moves.setdefault(lead, []).append(stage)

    def _stage_now(self, lead: str) -> str | None:
        for _ in range(20):
            response = self.call("GET", f"/leads/{self.world.org}/{lead}")
            if response is not None and response.status_code == 200:
                return response.json()["lead"]["stageId"]
            time.sleep(0.3)
        return None

    def activity(self) -> None:
        lead = self.rng.choice(self.all_leads)
        description = f"chaos note {self.n}-{next(self.counter)}"
        body = {"type": "NOTE", "description": description, "metadata": {}}
        response = self.call("POST", f"/leads/{self.world.org}/{lead}/activities", json=body)
        with self.ledger.lock:
            if response is not None and response.status_code == 201:
                self.ledger.activities[description] = response.json()["activity"]["id"]
            elif response is None or response.status_code == 503:
                self.ledger.unknown_activities.add(description)
            else:
                self.ledger.problems.append(f"activity on {lead}: {response.status_code} {response.text[:200]}")
