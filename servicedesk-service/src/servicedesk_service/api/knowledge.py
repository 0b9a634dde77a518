"""Knowledge articles: every signed-in user searches and reads them; operators write them."""
from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import RAISE

from portal_shared.auth import OPERATOR
from portal_shared.auth.flask import require_auth
from servicedesk_service.adapters.orm import KnowledgeArticle
from servicedesk_service.api import knowledge_schemas as schemas
from servicedesk_service.api.context import caller_id, context
from servicedesk_service.domain.article_markdown import summary, to_html
from servicedesk_service.service_layer import knowledge

blp = Blueprint("knowledge", __name__, url_prefix="/api/v1", description="Knowledge articles and their search")

SECURITY = [{"bearerAuth": []}]


def _view(article: KnowledgeArticle) -> dict:
    return {
        "id": article.id, "title": article.title, "body": article.body, "body_html": to_html(article.body),
        "tags": article.tags, "models": article.models,
        "created_at": article.created_at, "updated_at": article.updated_at,
    }


def _hit(article: KnowledgeArticle, score: float) -> dict:
    return {
        "id": article.id, "title": article.title, "summary": summary(article.body), "tags": article.tags,
        "models": article.models, "score": round(score, 4), "updated_at": article.updated_at,
    }


@blp.get("/knowledge")
@require_auth()
@blp.arguments(schemas.SearchQuery, location="query", unknown=RAISE, as_kwargs=True)
@blp.response(200, schemas.SearchOut)
@blp.alt_response(422, description="q missing or blank, or an invalid filter, named (problem+json).")
@blp.doc(security=SECURITY)
def search(q, page, tag=None, model=None):
    """Ranked search over title, tags, models and body; Spanish and English words, accents folded.
    With a tag and no words: that category's articles, the most recently updated first."""
    found = knowledge.search(context(), q, tag=tag, model=model, page=page)
    return {"items": [_hit(article, score) for article, score in found.hits], "total": found.total,
            "page": found.page, "page_size": found.page_size}


@blp.get("/knowledge/overview")
@require_auth()
@blp.response(200, schemas.KnowledgeOverviewOut)
@blp.doc(security=SECURITY)
def overview():
    """The categories (tags, with how many articles each) and the most recently updated articles."""
    found = knowledge.overview(context())
    return {"tags": [{"tag": tag, "articles": count} for tag, count in found.tags],
            "recent": [_hit(article, 0.0) for article in found.recent]}


@blp.get("/knowledge/<uuid:article_id>")
@require_auth()
@blp.response(200, schemas.ArticleOut)
@blp.alt_response(404, description="No such article (problem+json).")
@blp.doc(security=SECURITY)
def get(article_id: uuid.UUID):
    return _view(knowledge.read_article(context(), article_id))


@blp.post("/knowledge")
@require_auth(OPERATOR)
@blp.arguments(schemas.ArticleIn)
@blp.response(201, schemas.ArticleOut)
@blp.alt_response(409, description="Another article has this title (problem+json).")
@blp.alt_response(413, description="Request body over 1 MB (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
def create(body):
    """Publish an article (Markdown body); it is searchable as soon as the request returns."""
    return _view(knowledge.create_article(context(), body, by=caller_id()))


@blp.patch("/knowledge/<uuid:article_id>")
@require_auth(OPERATOR)
@blp.arguments(schemas.ArticlePatch)
@blp.response(200, schemas.ArticleOut)
@blp.alt_response(404, description="No such article (problem+json).")
@blp.alt_response(409, description="Another article has this title (problem+json).")
@blp.alt_response(422, description="Invalid or unknown fields, named (problem+json).")
@blp.doc(security=SECURITY)
def update(body, article_id: uuid.UUID):
    """Change the fields given; the article's index entries are rewritten with it."""
    return _view(knowledge.update_article(context(), article_id, body, by=caller_id()))


@blp.delete("/knowledge/<uuid:article_id>")
@require_auth(OPERATOR)
@blp.response(204)
@blp.alt_response(404, description="No such article (problem+json).")
@blp.doc(security=SECURITY)
def delete(article_id: uuid.UUID):
    knowledge.delete_article(context(), article_id)
