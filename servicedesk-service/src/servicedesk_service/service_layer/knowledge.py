"""Knowledge use cases: write articles (their search index rewritten in the same transaction), read, search.

Articles are the vendor's, published alike to every customer: reading them is not scoped by
customer, and no customer data is kept in them.
"""
from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal_shared.db import transaction
from portal_shared.errors import FIELD_REQUIRED, UseCaseError, invalid
from servicedesk_service.adapters.orm import KnowledgeArticle, KnowledgeTerm
from servicedesk_service.domain import knowledge as rules
from servicedesk_service.domain.article_markdown import plain_text
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.errors import ARTICLE_NOT_FOUND, ARTICLE_TITLE_IN_USE

PAGE_SIZE = 10
EDITABLE = ("title", "body", "tags", "models")


@dataclass(frozen=True)
class SearchPage:
    """One page of matches, best first, with the score of each; `total` counts every page."""

    hits: list[tuple[KnowledgeArticle, float]]
    total: int
    page: int
    page_size: int


def get_article(session: Session, article_id: uuid.UUID, *, for_update: bool = False) -> KnowledgeArticle:
    query = sa.select(KnowledgeArticle).where(KnowledgeArticle.id == article_id)
    if for_update:
        query = query.with_for_update()
    article = session.scalars(query).one_or_none()
    if article is None:
        raise ARTICLE_NOT_FOUND(f"No article {article_id}.")
    return article


def read_article(context: ServicedeskContext, article_id: uuid.UUID) -> KnowledgeArticle:
    with transaction(context.session_factory) as session:
        return get_article(session, article_id)


def _cleaned(data: dict[str, Any]) -> dict[str, Any]:
    """The given fields tidied; a title or body of only spaces is refused, by field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "title" in data:
        cleaned["title"] = " ".join(data["title"].split())
        if not cleaned["title"]:
            errors["title"] = ["Give the title."]
    if "body" in data:
        # Kept as written: in Markdown, leading spaces and line breaks mean something.
        cleaned["body"] = data["body"]
        if not data["body"].strip():
            errors["body"] = ["Write the article."]
    for field in ("tags", "models"):
        if field in data:
            cleaned[field] = rules.labels(data[field])
    if errors:
        raise invalid(errors)
    return cleaned


def _title_in_use() -> UseCaseError:
    return ARTICLE_TITLE_IN_USE("An article with this title exists.",
                                errors={"title": ["Already used by another article."]})


def _ensure_title_free(session: Session, title: str, article_id: uuid.UUID | None) -> None:
    query = sa.select(KnowledgeArticle.id).where(KnowledgeArticle.title == title)
    if article_id is not None:
        query = query.where(KnowledgeArticle.id != article_id)
    if session.scalar(query) is not None:
        raise _title_in_use()


def _index(session: Session, article: KnowledgeArticle) -> None:
    """Replace the article's rows in the index with those of its current text."""
    indexed = rules.index_article(article.title, article.tags, article.models, plain_text(article.body))
    article.title_length = indexed.lengths[rules.TITLE]
    article.tags_length = indexed.lengths[rules.TAGS]
    article.body_length = indexed.lengths[rules.BODY]
    try:
        # The unique title decides when two writers race past _ensure_title_free.
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _title_in_use() from None
    session.execute(sa.delete(KnowledgeTerm).where(KnowledgeTerm.article_id == article.id))
    if indexed.frequencies:
        session.execute(
            sa.insert(KnowledgeTerm),
            [
                {"article_id": article.id, "term": term, "field": field, "frequency": frequency}
                for (term, field), frequency in sorted(indexed.frequencies.items())
            ],
        )


def create_article(context: ServicedeskContext, data: dict[str, Any], *, by: uuid.UUID | None) -> KnowledgeArticle:
    cleaned = _cleaned(data)
    now = context.clock()
    with transaction(context.session_factory) as session:
        _ensure_title_free(session, cleaned["title"], None)
        article = KnowledgeArticle(
            id=uuid.uuid4(), title=cleaned["title"], body=cleaned["body"],
            tags=cleaned.get("tags", []), models=cleaned.get("models", []),
            created_at=now, updated_at=now, author_id=by, updated_by=by,
        )
        session.add(article)
        _index(session, article)
        return article


def update_article(
    context: ServicedeskContext, article_id: uuid.UUID, data: dict[str, Any], *, by: uuid.UUID | None
) -> KnowledgeArticle:
    if not data:
        raise invalid({"body": [f"Give at least one of: {', '.join(EDITABLE)}."]})
    cleaned = _cleaned(data)
    with transaction(context.session_factory) as session:
        # Locked so two edits of one article rewrite its index one after the other.
        article = get_article(session, article_id, for_update=True)
        if "title" in cleaned:
            _ensure_title_free(session, cleaned["title"], article.id)
        for field, value in cleaned.items():
            setattr(article, field, value)
        article.updated_at = context.clock()
        article.updated_by = by
        _index(session, article)
        return article


def delete_article(context: ServicedeskContext, article_id: uuid.UUID) -> None:
    with transaction(context.session_factory) as session:
        article = get_article(session, article_id, for_update=True)
        session.execute(sa.delete(KnowledgeTerm).where(KnowledgeTerm.article_id == article.id))
        session.delete(article)
        session.flush()


def search(
    context: ServicedeskContext, q: str | None, *, tag: str | None = None, model: str | None = None,
    page: int = 1, page_size: int = PAGE_SIZE,
) -> SearchPage:
    if (q is None or not q.strip()) and not (tag and tag.strip()):
        raise invalid({"q": ["Give the words to search for."]}, field_codes={"q": FIELD_REQUIRED})
    with transaction(context.session_factory) as session:
        if q is None or not q.strip():
            return _tagged(session, tag, model=model, page=page, page_size=page_size)
        return _search(session, q, tag=tag, model=model, page=page, page_size=page_size)


def _tagged(session: Session, tag: str, *, model: str | None, page: int, page_size: int) -> SearchPage:
    """A category browsed without words: its articles, the most recently updated first (score 0)."""
    wanted = rules.fold(tag.strip())
    articles = [a for a in session.scalars(sa.select(KnowledgeArticle).order_by(KnowledgeArticle.updated_at.desc(),
                                                                                KnowledgeArticle.id))
                if wanted in {rules.fold(t) for t in a.tags} and (not model or rules.applies_to(a.models, model))]
    shown = articles[(page - 1) * page_size: page * page_size]
    return SearchPage([(article, 0.0) for article in shown], len(articles), page, page_size)


@dataclass(frozen=True)
class Overview:
    """What the knowledge page shows before anything is searched: its categories and what is new."""

    tags: list[tuple[str, int]]  # (tag as most often written, articles), most articles first
    recent: list[KnowledgeArticle]


def overview(context: ServicedeskContext, *, recent: int = 6) -> Overview:
    with transaction(context.session_factory) as session:
        spellings: dict[str, Counter] = defaultdict(Counter)
        for tags in session.scalars(sa.select(KnowledgeArticle.tags)):
            for tag in {t.strip() for t in tags if t.strip()}:
                spellings[rules.fold(tag)][tag] += 1
        counted = [(names.most_common(1)[0][0], sum(names.values())) for names in spellings.values()]
        latest = list(session.scalars(sa.select(KnowledgeArticle)
                                      .order_by(KnowledgeArticle.updated_at.desc(), KnowledgeArticle.id).limit(recent)))
        return Overview(sorted(counted, key=lambda item: (-item[1], rules.fold(item[0]))), latest)


def _search(session: Session, q: str, *, tag: str | None, model: str | None, page: int, page_size: int) -> SearchPage:
    query = rules.query_terms(q)
    if not query:
        # Only stop words ("de la", "the"): nothing that tells articles apart.
        return SearchPage([], 0, page, page_size)
    candidates = session.execute(
        sa.select(
            KnowledgeTerm.article_id, KnowledgeTerm.term, KnowledgeTerm.field, KnowledgeTerm.frequency,
            KnowledgeArticle.title_length, KnowledgeArticle.tags_length, KnowledgeArticle.body_length,
            KnowledgeArticle.tags, KnowledgeArticle.models, KnowledgeArticle.updated_at,
        )
        .join(KnowledgeArticle, KnowledgeArticle.id == KnowledgeTerm.article_id)
        .where(KnowledgeTerm.term.in_(sorted(set().union(*query))))
    ).all()
    wanted_tag = rules.fold(tag.strip()) if tag else None
    postings: list[rules.Posting] = []
    lengths: dict[uuid.UUID, dict[str, int]] = {}
    updated: dict[uuid.UUID, datetime] = {}
    for row in candidates:
        if wanted_tag is not None and wanted_tag not in {rules.fold(t) for t in row.tags}:
            continue
        if model and not rules.applies_to(row.models, model):
            continue
        postings.append(rules.Posting(row.article_id, row.term, row.field, row.frequency))
        lengths[row.article_id] = {rules.TITLE: row.title_length, rules.TAGS: row.tags_length,
                                   rules.BODY: row.body_length}
        updated[row.article_id] = row.updated_at
    scores = rules.score(query, postings, lengths, corpus(session))
    # Equal scores: the most recently updated first, then a fixed order so pages never overlap.
    ranked = sorted(scores, key=lambda i: (-scores[i], -updated[i].timestamp(), str(i)))
    page_ids = ranked[(page - 1) * page_size: page * page_size]
    articles = {a.id: a for a in session.scalars(sa.select(KnowledgeArticle).where(KnowledgeArticle.id.in_(page_ids)))}
    # An article deleted between the two reads is left out of the page.
    hits = [(articles[i], scores[i]) for i in page_ids if i in articles]
    return SearchPage(hits, len(ranked), page, page_size)


def corpus(session: Session) -> rules.Corpus:
    count, title, tags, body = session.execute(
        sa.select(
            sa.func.count(), sa.func.avg(KnowledgeArticle.title_length), sa.func.avg(KnowledgeArticle.tags_length),
            sa.func.avg(KnowledgeArticle.body_length),
        )
    ).one()
    return rules.Corpus(
        articles=count,
        average_lengths={rules.TITLE: float(title or 0), rules.TAGS: float(tags or 0), rules.BODY: float(body or 0)},
    )
