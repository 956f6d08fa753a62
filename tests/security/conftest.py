"""One scene for every security proof, built once and restored before every request.

The scene is a small Hub: a family (the *owner* of the objects in the
addresses), the *helper* of its running match, *another member* with a
household of their own, a facilitator and an administrator. It is built once
per run into an SQLite file; each request of the matrix and each hypothesis
example starts from a fresh copy of that file, so a POST that succeeds (a
facilitator confirming an erasure, say) cannot change the next answer. A copy
costs a millisecond where rebuilding costs a hundred.

The proofs are about the web layer, not the database engine, so they run on
SQLite even when the rest of the suite runs on PostgreSQL.
"""

from __future__ import annotations

import filecmp
import hashlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto import create_app
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Activity,
    ActivityMembership,
    ActivitySlot,
    Association,
    AssociationCoordinator,
    AuditEvent,
    ErasureRequest,
    FollowUp,
    MatchingRun,
    MeetingNotice,
    Member,
    NeedSlot,
    OfferSlot,
    Proposal,
    Vetting,
)
from mutuo_aiuto.models.match import SessionNotice
from mutuo_aiuto.services import api_tokens, audit, notifications, policy, tokens
from tests import factories
from tests.conftest import build_settings
from tests.factories import TEST_PASSWORD
from tests.security.access_matrix import ACTORS

ANONYMOUS, OWNER, OTHER, HELPER, FACILITATOR, ADMIN = ACTORS

AUDITED_READS = (audit.CONTACTS_VIEWED, audit.SENSITIVE_VIEWED)
# Cookies are remade after this many seconds: within the fresh-login window (15 minutes)
# and the staff idle timeout (30), whatever the order and length of the run.
COOKIE_LIFETIME = 10 * 60
@dataclass
class Scene:
    """The public ids and secrets of the scene's objects, as plain strings.

    ``ids`` maps a scene key (see ``access_matrix.SCENE_KEYS``) to the value an
    address takes; ``row_ids`` maps the same keys to integer primary keys, to
    prove that those find nothing; ``users`` maps each actor to the value of
    the session's ``_user_id``.
    """

    ids: dict[str, str] = field(default_factory=dict)
    row_ids: dict[str, int] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    # Each logged-in actor's API token (every scope its role allows), sent by its client.
    tokens: dict[str, str] = field(default_factory=dict)


def _tuesday(start: int, end: int, slot: type) -> Any:
    return slot(weekday=1, start_minute=start * 60, end_minute=end * 60)


def build_scene(session: Session) -> Scene:
    """Make the scene's rows and return their ids (see the module's docstring)."""
    make = factories
    place = make.make_neighbourhood(session, slug="fontivegge", name="Fontivegge")
    other_place = make.make_neighbourhood(session, slug="madonna-alta", name="Madonna Alta")
    make.connect(session, place, other_place)
    category = make.make_category(session, slug="childcare", name="Bambini",
                                  translations={"en": "Childcare"})
    skill = make.make_skill(session, slug="school-run", name="Accompagnamento",
                            translations={"en": "School run"}, category=category)

    def household(name: str, where: Any = place, **user: Any) -> Any:
        account = make.make_user(session, name=name, **user)
        return make.make_household(session, user=account, name=f"Famiglia {name}",
                                   neighbourhood=where, languages=["it", "ar"])

    family, helper = household("Hassan", locale="en"), household("Rossi")
    # Came only to help: a helper's "about you" in place of a family page.
    stranger = household("Bianchi", where=other_place, comes_for="give")
    facilitator = make.make_user(session, role="facilitator", name="Facilitatrice")
    admin = make.make_user(session, role="admin", name="Amministratrice")
    unconfirmed = make.make_user(session, name="Nuova", email_confirmed_at=None)

    def need(owner: Any, status: str, title: str) -> Any:
        return make.make_need(session, household=owner, category=category, skills=[skill],
                              status=status, title=title, slots=[_tuesday(16, 18, NeedSlot)])

    def offer(owner: Any, title: str) -> Any:
        return make.make_offer(session, household=owner, skills=[skill], capacity=3,
                               title=title, slots=[_tuesday(15, 19, OfferSlot)])

    running_need = need(family, "active", "Uscita da scuola")
    open_need = need(family, "open", "Compiti il martedì")
    waiting_need = need(family, "matched", "Spesa del giovedì")
    own_offer = offer(family, "Posso cucinare")
    helper_offer = offer(helper, "Pomeriggi liberi")
    need(stranger, "open", "Una richiesta altrui")
    offer(stranger, "Un'offerta altrui")

    secret = current_app.config["SECRET_KEY"]
    now = datetime.now(UTC)
    today = date.today()
    match = make.make_match(session, need=running_need, offer=helper_offer, status="active",
                            confirmed_by_id=facilitator.id, accepted_at=now)
    awaiting = make.make_match(session, need=waiting_need, offer=helper_offer, status="awaiting",
                               confirmed_by_id=facilitator.id,
                               respond_by=now + timedelta(days=3))
    run = MatchingRun(kind="full", finished_at=now, stats={"needs": 1})
    proposal = Proposal(run=run, need=open_need, offer=helper_offer, score=40, rank=1,
                        reasons=[{"code": "same_neighbourhood", "points": 6}])
    follow_up = FollowUp(match=match, due_on=today)
    member = Member(household=family, kind="child", first_name="Yasmin", birth_year=2018)
    notice = SessionNotice(match=match, user_id=family.user_id, on_date=today + timedelta(7),
                           start_minute=16 * 60, end_minute=18 * 60)
    erasure = ErasureRequest(household=family, requested_by_id=family.user_id)
    vetting = Vetting(household=helper, checked_on=today - timedelta(days=30),
                      expires_on=today + timedelta(days=300), recorded_by_id=facilitator.id)
    # A group the owner leads (they record its attendance), meeting every day since a
    # fortnight; the owner's family and the helper's are in it.
    led_activity = Activity(
        kind="homework_club", title="Doposcuola", neighbourhood=place,
        place_name="Sala 2", capacity=8, languages=["it"], leader_id=family.user_id,
        starts_on=today - timedelta(days=14),
        slots=[ActivitySlot(weekday=d, start_minute=17 * 60, end_minute=19 * 60)
               for d in range(7)],
        memberships=[ActivityMembership(household=family, status="joined"),
                     ActivityMembership(household=helper, status="joined")])
    session.add_all([run, proposal, follow_up, member, notice, erasure, vetting, led_activity])
    activity, activity_request = _group_scene(session, place, family, helper)
    meeting_notice = session.scalars(select(MeetingNotice).filter_by(activity_id=activity.id)
                                     ).one()
    # The owner gave its consent at the front desk: staff may act for it (issue 16).
    family.desk_consent_at, family.desk_consent_version = now, "2026-11"
    family.desk_consent_by_id = facilitator.id
    family.user.calendar_token = "calendar-token-of-the-owner-0123456789abcdef"
    session.flush()
    association = make.make_association(session, name="Famiglie Insieme",
                                        coordinators=[family.user], neighbourhoods=[place],
                                        logo=make.TINY_PNG, logo_type="image/png")
    message = notifications.notify(
        session, family.user, "match_accepted", mail=False, helper=helper.name,
        need=running_need.title, match_id=match.public_id, need_id=running_need.public_id)
    session.commit()
    actors = {OWNER: family.user, OTHER: stranger.user, HELPER: helper.user,
              FACILITATOR: facilitator, ADMIN: admin}
    issued = {actor: api_tokens.issue(session, admin, user, name=f"token of {actor}",
                                      scopes=policy.api_scopes_for(user))
              for actor, user in actors.items()}
    session.commit()

    objects = {
        "need": open_need, "offer": own_offer, "match": match, "awaiting_match": awaiting,
        "proposal": proposal, "follow_up": follow_up, "member": member,
        "notification": message, "session_notice": notice, "erasure": erasure,
        "household": family, "account": family.user, "led_activity": led_activity,
        "own_association": association, "activity": activity,
        "activity_request": activity_request, "meeting_notice": meeting_notice,
        "api_token": issued[OWNER].token,
    }
    scene = Scene()
    for key, obj in objects.items():
        scene.ids[key] = obj.public_id
        scene.row_ids[key] = obj.id
    scene.ids |= {
        "category": category.slug, "neighbourhood": place.slug, "skill": skill.slug,
        "association": association.public_id,
        "calendar_token": family.user.calendar_token,
        "confirm_token": tokens.make_confirmation_token(unconfirmed, secret),
        "reset_token": tokens.make_reset_token(family.user, secret),
        "meeting_day": (today - timedelta(days=1)).isoformat(),
    }
    scene.tokens = {actor: found.secret for actor, found in issued.items()}
    scene.users = {OWNER: family.user.get_id(), OTHER: stranger.user.get_id(),
                   HELPER: helper.user.get_id(), FACILITATOR: facilitator.get_id(),
                   ADMIN: admin.get_id()}
    return scene


def _group_scene(session: Session, place: Any, family: Any, helper: Any) -> tuple[Any, Any]:
    """An association the helper coordinates, with an open homework club the owner joined
    and a self-help group the helper leads, which the owner asked to join."""
    association = Association(name="Associazione Famiglie Insieme", status="approved")
    session.add(association)
    session.flush()
    session.add(AssociationCoordinator(association=association, user=helper.user))

    def group(kind: str, title: str, **extra: Any) -> Activity:
        row = Activity(association=association, kind=kind, title=title, neighbourhood=place,
                       place_kind="hub_room", place_name="Sala 2", capacity=5,
                       languages=["it"], leader=helper.user, starts_on=date.today(),
                       slots=[_tuesday(16, 18, ActivitySlot)], **extra)
        session.add(row)
        return row

    club = group("homework_club", "Doposcuola")
    circle = group("self_help", "Genitori insieme", admission="by_request", confidential=True)
    session.add(ActivityMembership(activity=club, household=family, status="joined"))
    tuesday = date.today() + timedelta(days=(1 - date.today().weekday()) % 7)
    session.add(MeetingNotice(activity=club, household=family, on_date=tuesday,
                              start_minute=16 * 60, end_minute=18 * 60))
    request = ActivityMembership(activity=circle, household=family, status="requested",
                                 note="Una nota riservata")
    session.add(request)
    session.flush()
    return club, request


# ---- the snapshot and the harness -------------------------------------------------------


@dataclass
class World:
    snapshot: Path
    scene: Scene
    # The session cookie of each logged-in actor, fresh (the password just typed again),
    # and one that is not fresh (logged in some time ago).
    cookies: dict[str, str]
    stale_cookies: dict[str, str]
    made_at: float = field(default_factory=time.monotonic)

    def make_cookies(self, app: Flask) -> None:
        self.cookies, self.stale_cookies = (
            {actor: _cookie(app, user_id, fresh) for actor, user_id in self.scene.users.items()}
            for fresh in (True, False))
        self.made_at = time.monotonic()

    @property
    def cookies_expiring(self) -> bool:
        """Older than the shortest limit they must stay within (fresh login, staff idle)?"""
        return time.monotonic() - self.made_at > COOKIE_LIFETIME


def _cookie(app: Flask, user_id: str, fresh: bool) -> str:
    """A logged-in session. A fresh one types the password again at ``/confirm-password``,
    as a person would: Flask-Login then records the session identifier (``_id``) that
    keeps the login fresh from one request to the next."""
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id
        flask_session["_fresh"] = False
    if fresh:
        answer = client.post("/confirm-password", data={"password": TEST_PASSWORD})
        assert answer.status_code == 302, answer.text
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> World:
    folder = tmp_path_factory.mktemp("security-scene")
    snapshot = folder / "scene.sqlite3"
    shutil.copyfile(sqlite_template, snapshot)
    app = create_app(build_settings(folder, database_url=sqlite_url(snapshot)))
    with app.app_context(), force_locale("en"):
        world = World(snapshot, build_scene(db.session), {}, {})
        world.make_cookies(app)
        db.session.remove()
        db.engine.dispose()
    return world


class Harness:
    """Requests as one actor against a fresh copy of the scene."""

    def __init__(self, app: Flask, world: World, path: Path) -> None:
        self.app, self.world, self.path = app, world, path
        self.scene = world.scene

    def restore(self) -> None:
        db.session.remove()
        db.engine.dispose()
        shutil.copyfile(self.world.snapshot, self.path)

    def as_restored(self) -> bool:
        """Whether the database file is byte for byte the scene's copy: nothing was
        written since ``restore`` (rollback-journal mode writes every commit to the
        file). Comparing the file is a fraction of ``table_digest``'s cost; a
        difference may still be only a read's audit record, which the digest tells."""
        db.session.remove()
        return filecmp.cmp(self.path, self.world.snapshot, shallow=False)

    def client(self, actor: str, fresh: bool = True) -> FlaskClient:
        if self.world.cookies_expiring:  # a long run: log in again on the snapshot's copy
            self.restore()
            self.world.make_cookies(self.app)
            self.restore()
        client = self.app.test_client()
        if actor != ANONYMOUS:
            cookies = self.world.cookies if fresh else self.world.stale_cookies
            client.set_cookie("session", cookies[actor])
            # The pages read the cookie and the API the token; each ignores the other.
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {self.scene.tokens[actor]}"
        return client

    def request(self, actor: str, method: str, url: str, fresh: bool = True,
                **kwargs: Any) -> Any:
        """One request on a freshly restored scene."""
        self.restore()
        return self.client(actor, fresh).open(url, method=method, **kwargs)


@pytest.fixture
def make_harness(make_app: Any, world: World, tmp_path: Path) -> Iterator[Any]:
    """``make_harness(**settings)``: the scene in an app built with other settings."""
    contexts = []

    def build(**overrides: Any) -> Harness:
        path = tmp_path / f"scene-{len(contexts)}.sqlite3"
        shutil.copyfile(world.snapshot, path)
        app = make_app(create_schema=False, database_url=sqlite_url(path), **overrides)
        context = app.app_context()
        context.push()
        contexts.append(context)
        return Harness(app, world, path)

    yield build
    for context in reversed(contexts):
        db.session.remove()
        context.pop()


@pytest.fixture
def harness(make_harness: Any) -> Harness:
    return make_harness()


def table_digest() -> dict[str, str]:
    """A fingerprint of every table's content, to tell whether anything changed at all.

    Audit records of *reads* are left out: a page that shows contacts records the
    look even when it shows a refused form again, and that is the point of them.
    """
    digest = {}
    for name, table in sorted(db.metadata.tables.items()):
        query = select(table).order_by(*table.primary_key.columns)
        if table is AuditEvent.__table__:
            query = query.where(AuditEvent.action.not_in(AUDITED_READS))
        rows = db.session.execute(query).all()
        digest[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digest
