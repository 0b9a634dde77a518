"""The inbox: which events a consumer has already applied, so a redelivery changes nothing."""
from portal_shared.inbox.table import create_inbox_table, define_inbox, record_once

__all__ = ["create_inbox_table", "define_inbox", "record_once"]
