"""The data model, one module per aggregate; importing this registers every table."""

from mutuo_aiuto.models.catalogue import CATEGORY_KINDS, Category, Skill
from mutuo_aiuto.models.household import MEMBER_KINDS, Household, Member
from mutuo_aiuto.models.mail import OutboxMessage
from mutuo_aiuto.models.need import NEED_STATUSES, Need, NeedSlot
from mutuo_aiuto.models.offer import OFFER_STATUSES, Offer, OfferSlot
from mutuo_aiuto.models.place import Neighbourhood, neighbourhood_adjacency
from mutuo_aiuto.models.user import ADMIN, FACILITATOR, MEMBER, ROLES, User

__all__ = [
    "ADMIN", "CATEGORY_KINDS", "FACILITATOR", "MEMBER", "MEMBER_KINDS", "NEED_STATUSES",
    "OFFER_STATUSES", "ROLES", "Category", "Household", "Member", "Need", "NeedSlot",
    "Neighbourhood", "Offer", "OfferSlot", "OutboxMessage", "Skill", "User",
    "neighbourhood_adjacency",
]
