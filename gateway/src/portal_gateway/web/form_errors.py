"""A refused call's messages on the page that sent it, in the page's language: each field's codes
said next to the field (by its dotted path), the refusal's own sentence and the rest above the
form. The services' English `detail` and field messages are for API clients; no page shows them."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from portal_shared.errors import INVALID

from portal_gateway.web.api import Answer
from portal_gateway.web.refusals import field_sentence, refusal_sentence

VALIDATION_FAILED = INVALID.code

# Where one of a service's field errors goes: given the field's dotted path ("items.0.amount") and
# its sentences, put them next to what they concern and say True; False leaves them above the form.
Placement = Callable[[str, list[str]], bool]


def on_fields(fields: Mapping[str, Any], rename: Callable[[str], str] | None = None) -> Placement:
    """Next to a form's own fields: a list field's "roles.0" goes to "roles"; rename maps the
    service's other names to the form's."""
    def place(name: str, messages: list[str]) -> bool:
        name = rename(name) if rename else name
        field = fields.get(name) or fields.get(name.split(".")[0])
        # A hidden field (the CSRF token, a mailed link's token) shows no message: above the form.
        if field is None or getattr(field, "type", "") in ("HiddenField", "CSRFTokenField"):
            return False
        field.errors = list(field.errors) + [m for m in messages if m not in field.errors]
        return True

    return place


def field_sentences(answer: Answer) -> dict[str, list[str]]:
    """Each field's messages in the page's language, once each."""
    said: dict[str, list[str]] = {}
    for name, codes in answer.field_codes.items():
        sentences = said.setdefault(name, [])
        for code in codes:
            sentence = field_sentence(code)
            if sentence not in sentences:
                sentences.append(sentence)
    return said


def place_errors(answer: Answer, form_errors: list[str], place: Placement | None = None,
                 labels: Mapping[str, str] | None = None) -> None:
    """A refused call's messages on the page that sent it: each field's where `place` puts it, the
    rest above the form after the field's label (from `labels`; never the service's field path).
    The refusal's sentence goes first, unless it is already said next to a field or is a plain
    "some data is not valid" whose fields all say why."""
    placed: list[str] = []
    unplaced: list[tuple[str | None, str]] = []
    for name, sentences in field_sentences(answer).items():
        if place is not None and place(name, sentences):
            placed.extend(sentences)
        else:
            label = (labels or {}).get(name) or (labels or {}).get(name.split(".")[0])
            unplaced.extend((label, sentence) for sentence in sentences)
    said: str | None = None
    if answer.status == 429:
        if answer.retry_after and answer.retry_after.isdigit():
            form_errors.append(_("Too many attempts. Try again in %(seconds)s seconds.", seconds=answer.retry_after))
        else:
            form_errors.append(_("Too many attempts. Try again later."))
    else:
        said = refusal_sentence(answer.code, answer.status)
        plain_and_placed = answer.code == VALIDATION_FAILED and answer.errors and not unplaced
        if said not in placed and not plain_and_placed:
            form_errors.append(said)
    for label, sentence in unplaced:
        if sentence == said and said in form_errors:
            continue  # the refusal's own sentence, already above the form
        message = _("%(label)s: %(message)s", label=label, message=sentence) if label else sentence
        if message not in form_errors:
            form_errors.append(message)


def problem_messages(answer: Answer, labels: Mapping[str, str] | None = None) -> list[str]:
    """Everything a refused call says, for a notice above a form or a table; labels name the
    fields of a page whose fields are its query parameters (account, from, to)."""
    messages: list[str] = []
    place_errors(answer, messages, labels=labels)
    return messages
