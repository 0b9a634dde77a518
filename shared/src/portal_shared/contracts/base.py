"""The base of every event data schema, and the field types money travels in."""
from marshmallow import EXCLUDE, Schema, fields, validate

CURRENCIES = ("MXN", "USD")


class EventData(Schema):
    # A consumer ignores fields it does not know, so producers can add fields without a new version.
    class Meta:
        unknown = EXCLUDE


def money(**kwargs) -> fields.Decimal:
    """An amount as a decimal string with two places: never a float on the wire."""
    return fields.Decimal(places=2, as_string=True, **kwargs)


def rate(**kwargs) -> fields.Decimal:
    """An exchange rate (USD→MXN) as a decimal string with four places."""
    return fields.Decimal(places=4, as_string=True, **kwargs)


def currency(**kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(CURRENCIES), **kwargs)
