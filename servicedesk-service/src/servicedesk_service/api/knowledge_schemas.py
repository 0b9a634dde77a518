"""Request and response shapes of the knowledge API (they also write the OpenAPI document)."""
from marshmallow import Schema, fields, validate

MAX_TITLE = 200
# About forty printed pages: far above any how-to, far below the 1 MB request limit.
MAX_BODY = 100_000
MAX_TAG = 50
MAX_TAGS = 20
MAX_MODEL = 200
MAX_MODELS = 50
MAX_QUERY = 200


def _text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def _tags(**kwargs):
    return fields.List(_text(MAX_TAG), validate=validate.Length(max=MAX_TAGS), **kwargs)


def _models(**kwargs):
    return fields.List(_text(MAX_MODEL), validate=validate.Length(max=MAX_MODELS),
                       metadata={"description": "Device models the article applies to."}, **kwargs)


class ArticleIn(Schema):
    title = _text(MAX_TITLE, required=True)
    body = _text(MAX_BODY, required=True, metadata={"description": "Markdown; raw HTML is shown as text."})
    tags = _tags(load_default=list)
    models = _models(load_default=list)


class ArticlePatch(Schema):
    """Only the fields given change."""

    title = _text(MAX_TITLE)
    body = _text(MAX_BODY, metadata={"description": "Markdown; raw HTML is shown as text."})
    tags = _tags()
    models = _models()


class SearchQuery(Schema):
    q = fields.String(required=True, validate=validate.Length(max=MAX_QUERY),
                      metadata={"description": "Words to look for, Spanish or English; blank only with a tag."})
    tag = _text(MAX_TAG, metadata={"description": "Only articles with this tag."})
    model = _text(MAX_MODEL, metadata={"description": "Only articles for this device model."})
    page = fields.Integer(load_default=1, strict=False, validate=validate.Range(min=1, max=1000))


class ArticleOut(Schema):
    id = fields.UUID()
    title = fields.String()
    body = fields.String(metadata={"description": "Markdown as written."})
    body_html = fields.String(metadata={"description": "The body rendered, safe to show as HTML."})
    tags = fields.List(fields.String())
    models = fields.List(fields.String())
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class SearchHitOut(Schema):
    id = fields.UUID()
    title = fields.String()
    summary = fields.String(metadata={"description": "The beginning of the body as plain text."})
    tags = fields.List(fields.String())
    models = fields.List(fields.String())
    score = fields.Float(metadata={"description": "Relevance (BM25); higher first."})
    updated_at = fields.AwareDateTime()


class SearchOut(Schema):
    items = fields.List(fields.Nested(SearchHitOut))
    total = fields.Integer(metadata={"description": "Matching articles over all pages."})
    page = fields.Integer()
    page_size = fields.Integer()


class TagCountOut(Schema):
    tag = fields.String()
    articles = fields.Integer()


class KnowledgeOverviewOut(Schema):
    tags = fields.List(fields.Nested(TagCountOut))
    recent = fields.List(fields.Nested(SearchHitOut))
