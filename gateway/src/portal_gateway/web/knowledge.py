"""Knowledge articles (how-tos, troubleshooting) for every signed-in user: the search and one article.

servicedesk-service ranks the search and renders the articles; it is called with the signed-in
user's own token, whatever the user's roles.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, abort, request
from flask_babel import lazy_gettext as _l

from portal_gateway.routing import SERVICEDESK
from portal_gateway.web.page_helpers import (
    call,
    id_or_404,
    install_error_pages,
    items_of,
    page,
    page_arg,
    pages_of,
    viewer,
)
from portal_gateway.web.form_errors import field_sentences, problem_messages

knowledge = Blueprint("knowledge", __name__)

MAX_QUERY = 200  # servicedesk's limit; a longer text is its to refuse
MAX_PAGE = 1000
_TAG = re.compile(r"\A[^\x00-\x1f]{1,50}\Z")

install_error_pages(knowledge, {
    SERVICEDESK: _l("The knowledge base is not available right now. Please try again in a few minutes."),
})


@knowledge.get("/knowledge")
def search():
    who = viewer()
    q = request.args.get("q")
    tag = (request.args.get("tag") or "").strip()
    tag = tag if _TAG.match(tag) else None
    context = {"q": q or "", "tag": tag, "items": None, "pages": None, "problems": [], "max_query": MAX_QUERY}
    if q is None and tag is None:
        # Nothing asked yet: the categories and the newest articles, so the page is never blank.
        landing = call(SERVICEDESK, "GET", "/api/v1/knowledge/overview", who, scoped=False)
        if landing.ok:
            context.update(categories=landing.body.get("tags") or [], recent=landing.body.get("recent") or [])
        return page("knowledge.html", who, **context)
    # The words go as typed, blank included: servicedesk says what a search needs, and the
    # page shows its answer next to the box (the shared client would leave an empty q out).
    query = {"q": q or "", "page": page_arg(request.args.get("page"), MAX_PAGE)}
    if tag:
        query["tag"] = tag
    answer = call(SERVICEDESK, "GET", f"/api/v1/knowledge?{urlencode(query)}", who, scoped=False)
    if not answer.ok:
        # What servicedesk says about the words goes under the box; anything else above it.
        problems = field_sentences(answer).get("q") or problem_messages(answer)
        return page("knowledge.html", who, answer.status, **{**context, "items": [], "problems": problems})
    context.update(items=items_of(answer), pages=pages_of(answer.body), total=answer.body.get("total"))
    return page("knowledge.html", who, **context)


@knowledge.get("/knowledge/<article_id>")
def article(article_id: str):
    who = viewer()
    found = call(SERVICEDESK, "GET", f"/api/v1/knowledge/{id_or_404(article_id)}", who, scoped=False)
    if not found.ok:
        abort(404)
    return page("knowledge_article.html", who, article=found.body, q=request.args.get("q") or "")
