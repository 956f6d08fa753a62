"""Family associations and their group activities (issue 12): the Hub as a meeting place.

An association (associazione familiare, APS/ODV, parish group, sports club) has a
public page, coordinators who manage it and families who follow it; an
administrator approves or suspends it. An association or the Hub itself posts
group activities (a self-help group, a play group, a homework club…) that meet
weekly or on dates in a public place; families sign up or ask to join, a waiting
list moves up by itself, and the leader records who came to each meeting.

Self-help groups are confidential: who is in one (and what a family wrote when
asking to join, and the meeting notes) is special-category data, encrypted and
shown only to the group's leader and the Hub's facilitators.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model, db
from mutuo_aiuto.models.household import Household
from mutuo_aiuto.models.place import Neighbourhood
from mutuo_aiuto.models.slot import SlotColumns, slot_checks
from mutuo_aiuto.models.types import EncryptedText, UTCDateTime, new_public_id, utcnow
from mutuo_aiuto.models.user import User


class AssociationStatus(StrEnum):
    """An association's page is public only once an administrator approved it."""

    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class ActivityKind(StrEnum):
    SELF_HELP = "self_help"          # gruppo di auto-mutuo-aiuto: confidential, by request
    PLAY_GROUP = "play_group"
    HOMEWORK_CLUB = "homework_club"
    PARENTS_CIRCLE = "parents_circle"
    LANGUAGE_CAFE = "language_cafe"
    OUTING = "outing"
    WORKSHOP = "workshop"


class ActivityStatus(StrEnum):
    OPEN = "open"            # taking sign-ups (or requests), meeting
    CANCELLED = "cancelled"
    ENDED = "ended"          # its last day passed


class PlaceKind(StrEnum):
    """Where a group meets: never a private home (issue 12, item 2)."""

    HUB_ROOM = "hub_room"
    PUBLIC_PLACE = "public_place"


class Admission(StrEnum):
    OPEN = "open"              # a family signs up and is in (or on the waiting list)
    BY_REQUEST = "by_request"  # the leader or a facilitator accepts each family


class MembershipStatus(StrEnum):
    REQUESTED = "requested"  # asked to join a group by request; waiting for the leader
    WAITING = "waiting"      # on the waiting list: the group is full
    JOINED = "joined"
    LEFT = "left"
    DECLINED = "declined"


# Plain strings, so the CHECK constraints' text stays as the migration wrote it.
ASSOCIATION_STATUSES = tuple(s.value for s in AssociationStatus)
ACTIVITY_KINDS = tuple(k.value for k in ActivityKind)
ACTIVITY_STATUSES = tuple(s.value for s in ActivityStatus)
PLACE_KINDS = tuple(k.value for k in PlaceKind)
ADMISSIONS = tuple(a.value for a in Admission)
MEMBERSHIP_STATUSES = tuple(s.value for s in MembershipStatus)
# A membership that holds a place in the group.
HOLDING_PLACE = (MembershipStatus.JOINED,)

association_neighbourhoods = Table(
    "association_neighbourhoods",
    db.metadata,
    Column("association_id", ForeignKey("associations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("neighbourhood_id", ForeignKey("neighbourhoods.id", ondelete="CASCADE"),
           primary_key=True),
)


class Association(Model):
    __tablename__ = "associations"
    __table_args__ = (
        CheckConstraint(f"status IN {ASSOCIATION_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # APS, ODV, parish group, sports club…: the association's own words.
    legal_form: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The contact it gives the public: shown on its page, so not encrypted.
    public_email: Mapped[str | None] = mapped_column(String(254))
    public_phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    # A small PNG/JPEG/WebP logo (checked by its bytes, at most 200 KB).
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=AssociationStatus.PENDING.value)
    status_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        secondary=association_neighbourhoods, order_by="Neighbourhood.name")
    coordinators: Mapped[list[AssociationCoordinator]] = relationship(
        back_populates="association", cascade="all, delete-orphan")
    activities: Mapped[list[Activity]] = relationship(back_populates="association")

    def __repr__(self) -> str:
        return f"<Association {self.public_id} {self.status}>"


class AssociationCoordinator(Model):
    """A member of the service who manages an association's page and activities."""

    __tablename__ = "association_coordinators"
    __table_args__ = (UniqueConstraint("association_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    association: Mapped[Association] = relationship(back_populates="coordinators")
    user: Mapped[User] = relationship()


class AssociationFollower(Model):
    """A family that follows an association (its new activities show on the family page)."""

    __tablename__ = "association_followers"
    __table_args__ = (UniqueConstraint("association_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    association: Mapped[Association] = relationship()
    household: Mapped[Household] = relationship()


class Activity(Model):
    """A group activity posted by an association (or by the Hub: no association)."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACTIVITY_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {ACTIVITY_STATUSES!r}", name="status"),
        CheckConstraint(f"place_kind IN {PLACE_KINDS!r}", name="place_kind"),
        CheckConstraint(f"admission IN {ADMISSIONS!r}", name="admission"),
        CheckConstraint("capacity BETWEEN 1 AND 200", name="capacity"),
        CheckConstraint("min_child_age IS NULL OR min_child_age BETWEEN 0 AND 17",
                        name="min_child_age"),
        CheckConstraint("max_child_age IS NULL OR max_child_age BETWEEN 0 AND 17",
                        name="max_child_age"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        # A self-help group is always by request and confidential.
        CheckConstraint("kind <> 'self_help' OR (confidential AND admission = 'by_request')",
                        name="self_help_confidential"),
        Index("ix_activities_status_neighbourhood", "status", "neighbourhood_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    # None: the Hub's own activity, run by its facilitators.
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT"))
    place_kind: Mapped[str] = mapped_column(String(20), default=PlaceKind.HUB_ROOM.value)
    # "Sala 2 del Centro per le Famiglie", "Biblioteca San Matteo degli Armeni"…
    place_name: Mapped[str] = mapped_column(String(160))
    capacity: Mapped[int] = mapped_column(default=10)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Ages of the children welcome (None: no limit; both None: an activity for adults).
    min_child_age: Mapped[int | None]
    max_child_age: Mapped[int | None]
    # Children present: the leader must be a vetted helper (the Hub's check).
    requires_vetted_leader: Mapped[bool] = mapped_column(default=False)
    admission: Mapped[str] = mapped_column(String(12), default=Admission.OPEN.value)
    confidential: Mapped[bool] = mapped_column(default=False)
    # The person who runs the meetings and records attendance.
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default=ActivityStatus.OPEN.value)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # Raised by every join, leave and move up: two families taking the last place
    # at once cannot both get it (the same guard as households.version).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    association: Mapped[Association | None] = relationship(back_populates="activities")
    neighbourhood: Mapped[Neighbourhood] = relationship()
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id])
    slots: Mapped[list[ActivitySlot]] = relationship(
        back_populates="activity", cascade="all, delete-orphan",
        order_by="(ActivitySlot.on_date, ActivitySlot.weekday, ActivitySlot.start_minute)")
    memberships: Mapped[list[ActivityMembership]] = relationship(
        back_populates="activity", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Activity {self.public_id} {self.kind}>"


class ActivitySlot(SlotColumns, Model):
    """When a group meets: a weekday with times, or one date with times."""

    __tablename__ = "activity_slots"
    __table_args__ = slot_checks("activity_slot", dated=True)

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date | None]

    activity: Mapped[Activity] = relationship(back_populates="slots")


class ActivityMembership(Model):
    """A family in a group, asking to join it, or on its waiting list."""

    __tablename__ = "activity_memberships"
    __table_args__ = (
        UniqueConstraint("activity_id", "household_id"),
        CheckConstraint(f"status IN {MEMBERSHIP_STATUSES!r}", name="status"),
        Index("ix_activity_memberships_queue", "activity_id", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    # What a family wrote when asking to join (a self-help group: special category).
    note: Mapped[str | None] = mapped_column(EncryptedText())
    # The waiting list's order: who asked first moves up first.
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="memberships")
    household: Mapped[Household] = relationship()


class ActivityMeeting(Model):
    """One meeting of a group (a date and its times), where attendance is recorded."""

    __tablename__ = "activity_meetings"
    __table_args__ = (
        UniqueConstraint("activity_id", "on_date", "start_minute"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 "
                        "AND start_minute < end_minute", name="times"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    on_date: Mapped[date]
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    # The leader's notes of the meeting (confidential in a self-help group).
    notes: Mapped[str | None] = mapped_column(EncryptedText())
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    activity: Mapped[Activity] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan")


class Attendance(Model):
    """Whether a family came to a meeting."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("activity_meetings.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(default=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[ActivityMeeting] = relationship(back_populates="attendances")
    household: Mapped[Household] = relationship()


class MeetingNotice(Model):
    """One family's reminders of one meeting of a group, and its answer (issue 12).

    The group's twin of ``SessionNotice``: a row per (activity, family, day, start)
    remembers which reminders went (a week before, the day before, the morning) and
    whether the family said "I'm coming" or "I can't come". Erased with the household.
    """

    __tablename__ = "meeting_notices"
    __table_args__ = (
        UniqueConstraint("activity_id", "household_id", "on_date", "start_minute",
                         name="one_per_meeting"),
        CheckConstraint("answer IS NULL OR answer IN ('coming', 'cannot')", name="answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date] = mapped_column(index=True)
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    week_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    day_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    morning_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    activity: Mapped[Activity] = relationship()
    household: Mapped[Household] = relationship()
