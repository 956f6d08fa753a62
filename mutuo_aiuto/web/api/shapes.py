"""Rows as the API's JSON objects (the schemas of ``openapi.py``), with what policy hides
left out: a name, a contact or an address is null unless the pages would show it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mutuo_aiuto.models import ApiToken, Household, Match, Need, Offer, Proposal
from mutuo_aiuto.services import policy
from mutuo_aiuto.services.api_reads import Page

Json = dict[str, Any]


def moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def page(shown: Page[Any], items: list[Json]) -> Json:
    return {"items": items, "page": shown.page, "limit": shown.limit, "total": shown.total,
            "next_page": shown.next_page}


def counterpart(viewer: Any, household: Household, match: Match) -> Json:
    """The other side as ``viewer`` may see it (``policy``, as on the pages)."""
    named = policy.can_see_names(viewer, match)
    contacts = named and policy.contacts_shown_in(viewer, match)
    address = contacts and policy.can_see_address(viewer, household, match)
    return {"name": household.name if named else None,
            "email": household.user.email if contacts else None,
            "phone": household.phone if contacts else None,
            "address": household.address if address else None}


def own_pairing(viewer: Any, match: Match, other: Household) -> Json:
    return {"id": match.public_id, "status": match.status,
            "confirmed_at": moment(match.confirmed_at), "accepted_at": moment(match.accepted_at),
            "closed_at": moment(match.closed_at),
            "counterpart": counterpart(viewer, other, match)}


def request(viewer: Any, need: Need, matches: list[Match]) -> Json:
    return {"id": need.public_id, "title": need.title, "description": need.description,
            "status": need.status, "category": need.category.slug,
            "neighbourhood": need.neighbourhood.slug,
            "skills": [skill.slug for skill in need.skills], "helpers": need.helpers,
            "urgency": need.urgency, "languages": list(need.languages or []),
            "at_home": bool(need.at_home), "starts_on": day(need.starts_on),
            "ends_on": day(need.ends_on), "created_at": moment(need.created_at),
            "pairings": [own_pairing(viewer, m, m.offer.household) for m in matches]}


def offer(viewer: Any, row: Offer, matches: list[Match]) -> Json:
    return {"id": row.public_id, "title": row.title, "description": row.description,
            "status": row.status, "neighbourhood": row.neighbourhood.slug,
            "skills": [skill.slug for skill in row.skills], "capacity": row.capacity,
            "languages": list(row.languages or []), "ends_on": day(row.ends_on),
            "created_at": moment(row.created_at),
            "pairings": [own_pairing(viewer, m, m.need.household) for m in matches]}


def request_summary(need: Need) -> Json:
    return {"id": need.public_id, "title": need.title, "category": need.category.slug,
            "neighbourhood": need.neighbourhood.slug}


def offer_summary(row: Offer) -> Json:
    return {"id": row.public_id, "title": row.title, "neighbourhood": row.neighbourhood.slug}


def proposal(row: Proposal) -> Json:
    reasons = [{"code": str(r.get("code", "")), "points": r.get("points") or 0}
               for r in row.reasons or [] if isinstance(r, dict)]
    return {"id": row.public_id, "status": row.status, "score": row.score, "rank": row.rank,
            "reasons": reasons, "created_at": moment(row.created_at),
            "request": request_summary(row.need), "offer": offer_summary(row.offer)}


def pairing(viewer: Any, match: Match) -> Json:
    return {"id": match.public_id, "status": match.status,
            "confirmed_at": moment(match.confirmed_at), "accepted_at": moment(match.accepted_at),
            "closed_at": moment(match.closed_at), "outcome": match.outcome,
            "hours": match.hours, "request": request_summary(match.need),
            "offer": offer_summary(match.offer),
            "family": counterpart(viewer, match.need.household, match),
            "helper": counterpart(viewer, match.offer.household, match)}


def me(token: ApiToken) -> Json:
    user = token.user
    return {"user": {"id": user.public_id, "name": user.name, "role": user.role,
                     "locale": user.locale},
            "token": {"id": token.public_id, "name": token.name, "prefix": token.prefix,
                      "scopes": list(token.scopes or []), "expires_at": moment(token.expires_at),
                      "last_used_at": moment(token.last_used_at)}}
