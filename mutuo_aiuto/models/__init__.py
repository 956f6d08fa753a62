"""The data model, one module per aggregate; importing this registers every table."""

from mutuo_aiuto.models.audit import AuditEvent
from mutuo_aiuto.models.catalogue import CATEGORY_KINDS, Category, Skill
from mutuo_aiuto.models.household import MEMBER_KINDS, Household, Member
from mutuo_aiuto.models.lease import Lease
from mutuo_aiuto.models.mail import OutboxMessage
from mutuo_aiuto.models.match import (
    MATCH_HOLDING,
    MATCH_STATUSES,
    OUTCOMES,
    FollowUp,
    FollowUpOutcome,
    Match,
    MatchOutcome,
    MatchStatus,
)
from mutuo_aiuto.models.matching_run import (
    MatchingRun,
    Proposal,
    ProposalStatus,
    QueuedNeed,
    QueuedOffer,
    RunKind,
    UnmatchedReason,
)
from mutuo_aiuto.models.need import NEED_STATUSES, Need, NeedSlot, NeedStatus
from mutuo_aiuto.models.notification import Notification
from mutuo_aiuto.models.offer import OFFER_STATUSES, Offer, OfferSlot, OfferStatus
from mutuo_aiuto.models.place import Neighbourhood, neighbourhood_adjacency
from mutuo_aiuto.models.privacy import ERASURE_STATUSES, ErasureRequest, ErasureStatus
from mutuo_aiuto.models.user import ADMIN, FACILITATOR, MEMBER, ROLES, Role, User
from mutuo_aiuto.models.vetting import Vetting
from mutuo_aiuto.models.weights import MatchingWeights

__all__ = [
    "ADMIN", "CATEGORY_KINDS", "ERASURE_STATUSES", "FACILITATOR", "MATCH_HOLDING",
    "MATCH_STATUSES", "MEMBER", "MEMBER_KINDS", "NEED_STATUSES", "OFFER_STATUSES", "OUTCOMES",
    "ROLES", "AuditEvent", "Category", "ErasureRequest", "ErasureStatus", "FollowUp",
    "FollowUpOutcome", "Household", "Lease", "Match", "MatchOutcome", "MatchStatus", "MatchingRun",
    "MatchingWeights", "Member", "Need", "NeedSlot", "NeedStatus", "Neighbourhood",
    "Notification", "Offer", "OfferSlot", "OfferStatus", "OutboxMessage", "Proposal",
    "ProposalStatus", "QueuedNeed", "QueuedOffer", "Role", "RunKind", "Skill",
    "UnmatchedReason", "User", "Vetting", "neighbourhood_adjacency",
]
