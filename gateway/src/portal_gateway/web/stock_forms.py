"""The forms of the stock pages: a stock location's details, a new toner item, the levels.
Each carries a CSRF token; servicedesk checks everything again."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

_REQUIRED = _l("This field is required.")
_WHOLE = _l("Enter a whole number, zero or more.")
# As servicedesk stores them.
NAME_MAX, ADDRESS_MAX, INSTRUCTIONS_MAX, TONER_ITEM_MAX = 200, 500, 2000, 100


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is ours (and so translated)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_WHOLE) from None


class StockLocationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_REQUIRED), Length(max=NAME_MAX)])
    shipping_address = TextAreaField(_l("Shipping address"),
                                     validators=[DataRequired(_REQUIRED), Length(max=ADDRESS_MAX)])
    shipping_instructions = TextAreaField(_l("Shipping instructions"),
                                          validators=[Optional(), Length(max=INSTRUCTIONS_MAX)])


class TonerItemForm(FlaskForm):
    toner_item = StringField(_l("Toner item"), validators=[DataRequired(_REQUIRED), Length(max=TONER_ITEM_MAX)])
    quantity = WholeNumberField(_l("Quantity"), validators=[InputRequired(_WHOLE), NumberRange(min=0, message=_WHOLE)])
    reorder_point = WholeNumberField(_l("Reorder point"),
                                 validators=[InputRequired(_WHOLE), NumberRange(min=0, message=_WHOLE)])


class InventoryForm(FlaskForm):
    """The levels table: one field pair per toner item (quantity-<n>, reorder_point-<n>, with
    toner_item-<n> naming it), read in stock.read_levels(); this carries the CSRF token."""
