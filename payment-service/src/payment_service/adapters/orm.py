"""payment-service's tables (SQLAlchemy 2 declarative), including its outbox and inbox."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portal_shared.db import UTCDateTime, utcnow
from portal_shared.db.naming import NAMING_CONVENTION
from portal_shared.inbox import define_inbox
from portal_shared.outbox import define_outbox


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class PayableAccount(Base):
    """An account billing opened: payments are made against its invoices.

    No foreign keys to customers: payment learns of customers only through these events.
    """

    __tablename__ = "payable_accounts"

    # billing's account id: the natural key, so a repeated announcement finds the row.
    account_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    account_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


OUTBOX = define_outbox(Base.metadata)
INBOX = define_inbox(Base.metadata)
