"""servicedesk-service's tables (SQLAlchemy 2 declarative), including its outbox and inbox."""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portal_shared.db import UTCDateTime, utcnow
from portal_shared.db.naming import NAMING_CONVENTION
from portal_shared.inbox import define_inbox
from portal_shared.outbox import define_outbox
from portal_shared.revocations import define_revocations


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Customer(Base):
    """servicedesk's copy of a customer registered at identity (identity owns it)."""

    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    rfc: Mapped[str] = mapped_column(sa.String(13), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    system_account_number: Mapped[str] = mapped_column(sa.String(32))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerAccount(Base):
    """An account number of a customer, as identity registered it: unique across customers."""

    __tablename__ = "customer_accounts"

    account_number: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("customers.id"), index=True)


class User(Base):
    """servicedesk's copy of a user created at identity (identity owns it)."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    # No foreign key to customers: identity's events may arrive in any order, and a user
    # must not wait in the retry queues for its customer's registration. None for staff.
    customer_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    username: Mapped[str] = mapped_column(sa.String(254), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When identity last set the roles we hold: an older roles event arriving late changes nothing.
    roles_as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", order_by="UserRole.role", lazy="selectin"
    )

    @property
    def roles(self) -> list[str]:
        return [row.role for row in self.role_rows]


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(50), primary_key=True)


class Device(Base):
    """A copier or printer under contract at one customer account."""

    __tablename__ = "devices"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    serial_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    model: Mapped[str] = mapped_column(sa.String(200))
    # No foreign key to customers, for the same reason as users: identity's events come in any order.
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    account_number: Mapped[str] = mapped_column(sa.String(32))
    install_address: Mapped[str] = mapped_column(sa.String(500))
    location: Mapped[str] = mapped_column(sa.String(500))
    response_hours: Mapped[int] = mapped_column(sa.Integer)
    # The counter names the device has (e.g. ["total", "black", "colour"]).
    counters: Mapped[list[str]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Removed from the customer's account by an agent: kept for history, hidden from the customer.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    assignment_rows: Mapped[list[DeviceAssignment]] = relationship(
        order_by="DeviceAssignment.user_id", lazy="selectin", viewonly=True
    )

    @property
    def assignees(self) -> list[uuid.UUID]:
        """The device admins in charge of the device."""
        return [row.user_id for row in self.assignment_rows]
    # The stock location that replenishes this device's toner (e-Maintenance); None: not replenished.
    stock_location_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("stock_locations.id", ondelete="SET NULL"), index=True
    )


class DeviceAssignment(Base):
    """A device in the charge of a device admin of the same customer."""

    __tablename__ = "device_assignments"

    device_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class DeviceLocation(Base):
    """Where a device was said to be, from when: the history of its moves."""

    __tablename__ = "device_locations"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    device_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(sa.String(500))
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    moved_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class CounterReplacement(Base):
    """A counter replaced or reset: from here on its readings form series number `series`."""

    __tablename__ = "counter_replacements"
    __table_args__ = (sa.UniqueConstraint("device_id", "counter", "series"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    device_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"))
    counter: Mapped[str] = mapped_column(sa.String(50))
    series: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.String(500))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class DeviceReading(Base):
    """A device's accepted reading of one day, holding every counter of the device (`counters`).
    The unique (device_id, read_on) is what makes "one reading per device and day" hold under
    concurrent submissions, not only the check before the insert."""

    __tablename__ = "device_readings"
    __table_args__ = (sa.UniqueConstraint("device_id", "read_on"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    device_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"))
    # The calendar day of the reading in the customer's time zone.
    read_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # One row per counter of the device; the API orders them as the device lists its counters.
    counters: Mapped[list["MeterReading"]] = relationship(
        back_populates="device_reading", cascade="all, delete-orphan", passive_deletes=True,
        order_by="MeterReading.counter",
    )


class MeterReading(Base):
    """One counter's value within a device's reading. device_id and read_on repeat the device
    reading's so a counter's series is read from this table alone (its latest value, its day)."""

    __tablename__ = "meter_readings"
    __table_args__ = (sa.UniqueConstraint("device_reading_id", "counter"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    device_reading_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("device_readings.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    counter: Mapped[str] = mapped_column(sa.String(50))
    series: Mapped[int] = mapped_column(sa.Integer)
    value: Mapped[int] = mapped_column(sa.BigInteger)
    previous_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    read_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    device_reading: Mapped[DeviceReading] = relationship(back_populates="counters")


class Incident(Base):
    """A fault reported against a device; its first response is due within the contract's business hours."""

    __tablename__ = "incidents"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    # What people quote: INC-<year>-<six digits> (domain/incidents.py), from incident_numbers.
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # The device's customer at opening, kept so the incident stays the customer's if the device moves on.
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(5000))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_phone: Mapped[str] = mapped_column(sa.String(40))
    contact_email: Mapped[str] = mapped_column(sa.String(320))
    status: Mapped[str] = mapped_column(sa.String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The vendor's response: when the incident was acknowledged.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it was closed or cancelled.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class IncidentNumber(Base):
    """The last incident number given in a year. Taken in the opening's transaction with the row
    locked: each number once, in order, and a rolled-back opening gives its number back."""

    __tablename__ = "incident_numbers"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(sa.Integer)


class IncidentEvent(Base):
    """One line of an incident's history: a status change or a comment, by whom and from which side.
    The integer key keeps the order of entries made in the same instant."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    text: Mapped[str | None] = mapped_column(sa.String(5000))
    author: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    side: Mapped[str] = mapped_column(sa.String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockLocation(Base):
    """Where a customer keeps toner for its devices (e-Maintenance), and where replenishment is shipped."""

    __tablename__ = "stock_locations"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    shipping_address: Mapped[str] = mapped_column(sa.String(500))
    shipping_instructions: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    levels: Mapped[list[StockLevel]] = relationship(
        cascade="all, delete-orphan", order_by="StockLevel.toner_item", lazy="selectin"
    )


class StockLevel(Base):
    """How much of one toner item a stock location holds, and the quantity at which to reorder it."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.CheckConstraint("reorder_point >= 0", name="reorder_point_not_negative"),
    )

    stock_location_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("stock_locations.id", ondelete="CASCADE"), primary_key=True
    )
    toner_item: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    quantity: Mapped[int] = mapped_column(sa.Integer)
    reorder_point: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TonerLevel(Base):
    """The latest toner level a device reported for one of its toner items."""

    __tablename__ = "toner_levels"
    __table_args__ = (sa.CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),)

    device_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    toner_item: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    percent: Mapped[int] = mapped_column(sa.Integer)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TonerOrder(Base):
    """A replenishment of one toner item for a stock location. The partial unique index, not only the
    check before the insert, keeps it to one open order per (stock location, toner item) when
    reports race each other."""

    __tablename__ = "toner_orders"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("status IN ('open', 'shipped', 'cancelled')", name="status"),
        sa.Index(
            "uq_toner_orders_open", "stock_location_id", "toner_item", unique=True,
            postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    stock_location_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("stock_locations.id", ondelete="CASCADE"))
    # The device whose report raised the order; kept as None if the device row ever goes.
    device_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("devices.id", ondelete="SET NULL"))
    toner_item: Mapped[str] = mapped_column(sa.String(100))
    quantity: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)

    stock_location: Mapped[StockLocation] = relationship(lazy="joined")
    device: Mapped[Device | None] = relationship(lazy="joined")


class KnowledgeArticle(Base):
    """A how-to or troubleshooting article the vendor publishes to every customer (Markdown body)."""

    __tablename__ = "knowledge_articles"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True)
    body: Mapped[str] = mapped_column(sa.Text)
    tags: Mapped[list[str]] = mapped_column(sa.JSON)
    models: Mapped[list[str]] = mapped_column(sa.JSON)
    # How many words each field put into the index: BM25 weighs a match in a short field above one
    # in a long field, and averages these over all articles.
    title_length: Mapped[int] = mapped_column(sa.Integer)
    tags_length: Mapped[int] = mapped_column(sa.Integer)
    body_length: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class KnowledgeTerm(Base):
    """One search term of an article's field and how often it occurs there: the search index,
    rewritten in the same transaction as the article."""

    __tablename__ = "knowledge_terms"
    __table_args__ = (
        sa.CheckConstraint("field IN ('title', 'tags', 'body')", name="field"),
        sa.CheckConstraint("frequency > 0", name="frequency_positive"),
    )

    article_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("knowledge_articles.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)
    field: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    frequency: Mapped[int] = mapped_column(sa.Integer)


class AuditEntry(Base):
    """One action of the vendor's staff on a customer's data, written in that action's own
    transaction. The integer key orders entries made in the same instant."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_customer_id_at", "customer_id", "at"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # None when the token's user id is not a UUID (identity always issues UUIDs).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # The roles the token carried at the time: roles change, the record must not.
    actor_roles: Mapped[list[str]] = mapped_column(sa.JSON)
    action: Mapped[str] = mapped_column(sa.String(64))
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    detail: Mapped[dict] = mapped_column(sa.JSON)


OUTBOX = define_outbox(Base.metadata)
INBOX = define_inbox(Base.metadata)


# What identity revoked, until the tokens it covers expire (portal_shared.revocations).
REVOCATIONS = define_revocations(Base.metadata)
