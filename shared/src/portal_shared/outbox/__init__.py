"""The transactional outbox: rows written in the business transaction, published by a relay."""
from portal_shared.outbox.table import CHANNEL_EVENTS, CHANNEL_MAIL, create_outbox_table, define_outbox
from portal_shared.outbox.writer import Outbox

__all__ = ["CHANNEL_EVENTS", "CHANNEL_MAIL", "Outbox", "create_outbox_table", "define_outbox"]
