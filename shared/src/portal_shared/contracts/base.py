"""The base of every event data schema."""
from marshmallow import EXCLUDE, Schema


class EventData(Schema):
    # A consumer ignores fields it does not know, so producers can add fields without a new version.
    class Meta:
        unknown = EXCLUDE
