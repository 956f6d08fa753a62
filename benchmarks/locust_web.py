"""The load of a working day on the Hub, for locust (``bench_web.py`` runs it headless).

Families browse their pages and post a request (then cancel it, so the data
keeps its size); helpers look at their week and inbox, answer a pairing a
facilitator confirmed, and post an offer (cancelled again); facilitators work
the proposal queue — filtering it, paging, confirming — and look at the
follow-ups, the requests without a proposal and the impact pages. ``BareUser``
asks the bare Flask endpoint, the baseline. Accounts come from the JSON file
named by ``BENCH_ACCOUNTS`` (written by ``bench_web.py`` from the database).
The users are locust's ``FastHttpUser`` (geventhttpclient): python-requests cost
the client several milliseconds of CPU a request, taken from the same two cores
as the servers. Every request is named by its page, ids replaced by ``[id]``; writes are
``POST`` and their redirect is not followed, so each is timed alone. Each
user sends its own ``X-Forwarded-For`` (the app runs with ``PROXY_FIX_HOPS=1``),
so the login limit counts each person, as behind a real proxy.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
from datetime import date, timedelta
from pathlib import Path

from locust import FastHttpUser, between, constant, task

ACCOUNTS = json.loads(Path(os.environ.get("BENCH_ACCOUNTS", "/dev/null")).read_text() or "{}")
PASSWORD = os.environ.get("BENCH_PASSWORD", "mutuo-aiuto-demo")
THINK = float(os.environ.get("BENCH_WAIT", "1.0"))
# "pages": only the pages that should be flat (no writes, no impact or unmatched
# pages, which still do work that grows with the data): what a page costs by itself.
HEAVY = 0 if os.environ.get("BENCH_MIX") == "pages" else 1
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEED_LINK = re.compile(r'href="(/facilitator/needs/[A-Za-z0-9_-]{8,})"')
# The matcher's choice on a request's page: the first "confirm" link.
CONFIRM = re.compile(r'href="(/facilitator/proposals/[A-Za-z0-9_-]{8,}/confirm[^"]*)"')
ADDRESSES = (f"10.{n // 250}.{n % 250}.{n % 7 + 1}" for n in itertools.count(1))
# Skills to post, as in the demo catalogue: some broad, some narrow.
NEED_KINDS = (("baby-sitting", "childcare"), ("aiuto-compiti", "homework"),
              ("spesa-commissioni", "errands"), ("ascolto", "listening"))
OFFER_SKILLS = ("aiuto-compiti", "spesa-commissioni", "ascolto", "mediazione", "cucinare")


def _wait():
    return between(THINK / 2, THINK * 1.5) if THINK > 0 else constant(0)


def _token(html: str) -> str:
    found = CSRF.search(html)
    return found[1] if found else ""


class HubUser(FastHttpUser):
    abstract = True
    wait_time = _wait()
    email = ""

    def on_start(self) -> None:
        # Sent with every request of this user (geventhttpclient's user agent keeps them).
        self.client.client.default_headers.update({"X-Forwarded-For": next(ADDRESSES),
                                                   "Accept-Language": "it"})
        page = self.client.get("/login", name="GET /login")
        with self.client.post("/login", name="POST /login", allow_redirects=False,
                              catch_response=True,
                              data={"csrf_token": _token(page.text), "email": self.email,
                                    "password": PASSWORD}) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.email} refused ({response.status_code})")

    def post(self, path: str, name: str, form_page: str, data: dict) -> str | None:
        """POST a form with the token of ``form_page``; the redirect's address, or None."""
        token = _token(self.client.get(form_page, name=f"GET {_named(form_page)}").text)
        with self.client.post(path, name=f"POST {name}", allow_redirects=False,
                              catch_response=True, data={"csrf_token": token, **data}) as answer:
            if answer.status_code != 302:
                answer.failure(f"{answer.status_code}: the form was refused")
                return None
            return answer.headers.get("Location", "")

    def page(self, path: str) -> None:
        self.client.get(path, name=f"GET {_named(path)}")


def _named(path: str) -> str:
    """``/needs/Ab3x…`` → ``/needs/[id]``: one line per page, not per record."""
    return re.sub(r"/(needs|offers|matches|proposals)/(?!new\b)[A-Za-z0-9_-]{8,}",
                  r"/\1/[id]", path)


class FamilyUser(HubUser):
    weight = 5

    def on_start(self) -> None:
        self.email = random.choice(ACCOUNTS["families"])
        super().on_start()

    @task(4)
    def home(self) -> None:
        self.page("/")

    @task(4)
    def requests(self) -> None:
        listing = self.client.get("/needs", name="GET /needs").text
        found = re.findall(r'href="(/needs/[A-Za-z0-9_-]{8,})"', listing)
        if found:
            self.page(random.choice(found))

    @task(2)
    def family(self) -> None:
        self.page("/family")

    @task(2)
    def week(self) -> None:
        self.page("/week")

    @task(2)
    def inbox(self) -> None:
        self.page("/inbox")

    @task(HEAVY)
    def post_and_cancel_a_request(self) -> None:
        skill, category = random.choice(NEED_KINDS)
        new = self.client.get("/needs/new", name="GET /needs/new").text
        place = re.search(r'<option selected value="([^"]+)"', new) or re.search(
            r'name="neighbourhood"[^>]*>\s*<option[^>]*value="([^"]*)"', new)
        where = self.post("/needs/new", "/needs/new", "/needs/new", {
            "title": "Prova di carico", "category": category, "skills": skill,
            "weekly-0-days": str(random.randrange(5)), "weekly-0-start": "16:00",
            "weekly-0-end": "18:00", "ends_on": (date.today() + timedelta(days=60)).isoformat(),
            "neighbourhood": place[1] if place else "", "max_hops": "1", "helpers": "1",
            "urgency": "0", "languages": "it", "publish": "Pubblica"})
        need = re.search(r"/needs/([A-Za-z0-9_-]{8,})", where or "")
        if need:
            self.post(f"/needs/{need[1]}/cancel", "/needs/[id]/cancel", f"/needs/{need[1]}", {})


class HelperUser(HubUser):
    weight = 3

    def on_start(self) -> None:
        helpers = ACCOUNTS["helpers"]
        self.email, self.match = helpers.pop() if helpers else (
            random.choice(ACCOUNTS["families"]), None)
        super().on_start()

    @task(3)
    def offers(self) -> None:
        self.page("/offers")

    @task(3)
    def week(self) -> None:
        self.page("/week")

    @task(2)
    def inbox(self) -> None:
        self.page("/inbox")

    @task(2 * HEAVY)
    def answer(self) -> None:
        if self.match:
            match, self.match = self.match, None
            self.post(f"/matches/{match}/accept", "/matches/[id]/accept", f"/matches/{match}", {})
        else:
            self.page("/")

    @task(HEAVY)
    def post_and_cancel_an_offer(self) -> None:
        new = self.client.get("/offers/new", name="GET /offers/new").text
        place = re.search(r'<option selected value="([^"]+)"', new)
        where = self.post("/offers/new", "/offers/new", "/offers/new", {
            "title": "Prova di carico", "skills": random.choice(OFFER_SKILLS),
            "weekly-0-days": str(random.randrange(5)), "weekly-0-start": "17:00",
            "weekly-0-end": "19:00", "ends_on": (date.today() + timedelta(days=60)).isoformat(),
            "neighbourhood": place[1] if place else "", "max_hops": "1", "capacity": "1",
            "languages": "it"})
        offer = re.search(r"/offers/([A-Za-z0-9_-]{8,})", where or "")
        if offer:
            self.post(f"/offers/{offer[1]}/cancel", "/offers/[id]/cancel",
                      f"/offers/{offer[1]}", {})


class FacilitatorUser(HubUser):
    weight = 2

    def on_start(self) -> None:
        self.email = ACCOUNTS["facilitator"]
        super().on_start()

    @task(6)
    def queue(self) -> None:
        self.page("/facilitator")

    @task(3)
    def filtered(self) -> None:
        place = random.choice(ACCOUNTS["neighbourhoods"])
        self.client.get(f"/facilitator?neighbourhood={place}&urgency=",
                        name="GET /facilitator?neighbourhood=…")

    @task(2)
    def next_page(self) -> None:
        self.client.get("/facilitator?page=2", name="GET /facilitator?page=2")

    @task(2 * HEAVY)
    def confirm(self) -> None:
        """The queue, a request on it, its confirmation page, then confirming the choice."""
        queue = self.client.get("/facilitator", name="GET /facilitator").text
        needs = NEED_LINK.findall(queue)
        if not needs:
            return
        need = self.client.get(random.choice(needs[:10]), name="GET /facilitator/needs/[id]")
        choice = CONFIRM.search(need.text)
        if not choice:
            return
        page = html.unescape(choice[1])
        form = self.client.get(page, name="GET /facilitator/proposals/[id]/confirm").text
        with self.client.post(page.split("?")[0], allow_redirects=False,
                              name="POST /facilitator/proposals/[id]/confirm",
                              catch_response=True,
                              data={"csrf_token": _token(form), "next": "/facilitator"}) as answer:
            if answer.status_code != 302:
                answer.failure(f"{answer.status_code}: confirming failed")

    @task(2)
    def follow_ups(self) -> None:
        self.page("/followups")

    @task(HEAVY)
    def unmatched(self) -> None:
        self.page("/facilitator/unmatched")

    @task(2 * HEAVY)
    def impact(self) -> None:
        self.page("/facilitator/impact")

    @task(1)
    def inbox(self) -> None:
        self.page("/inbox")


class BareUser(FastHttpUser):
    """The baseline: the bare Flask endpoint, under the same gunicorn settings."""

    wait_time = _wait()

    @task
    def bare(self) -> None:
        self.client.get("/", name="GET / (bare Flask)")
