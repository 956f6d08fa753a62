"""The audit trail: who read private data or changed something that matters, and when.

Rows are append-only. The ORM refuses to update or delete them, one by one
(mapper events) or in bulk (``update(AuditEvent)`` / ``delete(AuditEvent)``
through a session), so a mistaken or malicious code path cannot rewrite
history. Details never hold the private values themselves, only which
fields were involved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Mapper, ORMExecuteState, Session, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.household import Household
from mutuo_aiuto.models.types import UTCDateTime, utcnow
from mutuo_aiuto.models.user import User


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised on any attempt to change or remove an audit record."""


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # SET NULL happens in the database, not through the ORM: accounts are
    # anonymised rather than deleted, so this only guards against a manual delete.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The role at the time: a later role change must not rewrite what happened.
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(16), index=True)
    # Whose data this was about: the household's transparency page reads this.
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True)
    # Set when a facilitator acted for a family registered at the front desk: the actor
    # is the facilitator, this is the family ("done by X for family Y", issue 16).
    on_behalf_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The web request that wrote the row, given by ``services.audit.record``.
    request_id: Mapped[str | None] = mapped_column(String(64), index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    household: Mapped[Household | None] = relationship(foreign_keys=[household_id])
    on_behalf_of: Mapped[Household | None] = relationship(foreign_keys=[on_behalf_of_id])

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_id}>"


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper: Mapper[Any], connection: Any, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly("audit records cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper: Mapper[Any], connection: Any, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly("audit records cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    # Bulk statements skip the mapper events above: check them here.
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ is AuditEvent:
        raise AuditTrailIsAppendOnly("audit records cannot be changed or deleted")


# On PostgreSQL the database itself refuses to change or delete an audit
# record, whatever code or person holds a connection. The one change let
# through is the ON DELETE SET NULL of a referenced account or household.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
     AND NEW.actor_role IS NOT DISTINCT FROM OLD.actor_role
     AND NEW.target_type IS NOT DISTINCT FROM OLD.target_type
     AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
     AND NEW.details::text = OLD.details::text
     AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
     AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
     AND (NEW.household_id IS NULL OR NEW.household_id = OLD.household_id)
     AND (NEW.on_behalf_of_id IS NULL OR NEW.on_behalf_of_id = OLD.on_behalf_of_id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)
for _statement in (APPEND_ONLY_FUNCTION, APPEND_ONLY_TRIGGER):
    event.listen(AuditEvent.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))
