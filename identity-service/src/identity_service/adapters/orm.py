"""identity's tables as SQLAlchemy 2 models; the migrations create exactly these."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portal_shared.db import UTCDateTime
from portal_shared.inbox import define_inbox
from portal_shared.outbox import define_outbox
from portal_shared.revocations import define_revocations


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


outbox_table = define_outbox(Base.metadata)
# Events identity applies (to tell people about them), each once.
INBOX = define_inbox(Base.metadata)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    rfc: Mapped[str] = mapped_column(sa.String(13), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    system_account_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    accounts: Mapped[list[CustomerAccount]] = relationship(
        back_populates="customer", order_by="CustomerAccount.account_number", lazy="selectin"
    )

    @property
    def account_numbers(self) -> list[str]:
        return [account.account_number for account in self.accounts]


class CustomerAccount(Base):
    """A customer account number (on contracts and invoices); unique across all customers."""

    __tablename__ = "customer_accounts"

    account_number: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)

    customer: Mapped[Customer] = relationship(back_populates="accounts")


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    # Staff users belong to no customer.
    customer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    username: Mapped[str] = mapped_column(sa.String(254), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    email_verified: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Null for an invited user who has not chosen a password yet.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer | None] = relationship(lazy="selectin")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> list[str]:
        return sorted(row.role for row in self.role_rows)

    def set_roles(self, roles: set[str] | list[str]) -> None:
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        held = {row.role for row in self.role_rows}
        self.role_rows.extend(UserRole(role=role) for role in sorted(wanted - held))


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class RefreshFamily(Base):
    """One sign-in and all the refresh tokens rotated from it; its id is the tokens' `sid` claim."""

    __tablename__ = "refresh_families"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(64))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    # sha256 of the opaque token: a leaked table cannot be replayed.
    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(sa.ForeignKey("refresh_families.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when exchanged for a successor; presenting it again means it was stolen.
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    family: Mapped[RefreshFamily] = relationship(lazy="selectin")


class OneTimeToken(Base):
    """Mailed links: password reset, e-mail verification, invitation, activation."""

    __tablename__ = "one_time_tokens"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(32))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The address the link was sent to: verifying or activating proves the user reads it.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it ended (domain.links.ENDINGS), set with used_at: the holder of a dead link is told
    # whether it was used, replaced by a newer one or no longer applies. NULL on links ended
    # before this was recorded: taken as used.
    ended_reason: Mapped[str | None] = mapped_column(sa.String(16))


class LoginThrottle(Base):
    """Failed sign-ins per account or client address, and the lock they engaged."""

    __tablename__ = "login_throttles"

    # "<scope>:<value>", e.g. "account:CDM850101AB1", "address:203.0.113.9", "first-address:…".
    key: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Null actor id: a command-line tool acted, named in actor_username.
    actor_user_id: Mapped[str | None] = mapped_column(sa.String(36))
    actor_username: Mapped[str] = mapped_column(sa.String(254))
    # The customer the change concerns, so a customer's admin reads only its own entries.
    customer_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[str] = mapped_column(sa.String(36))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    correlation_id: Mapped[str | None] = mapped_column(sa.String(128))


# What identity revoked, until the tokens it covers expire (portal_shared.revocations).
REVOCATIONS = define_revocations(Base.metadata)
