"""A stand-in for servicedesk's knowledge API, answering as servicedesk-service's api/knowledge.py
does: any signed-in user searches (q required and not blank), ranked hits a page at a time, one
article with its body already rendered to safe HTML."""
from __future__ import annotations

import html

from standins import ScopedService, invalid, json_response, problem, routed_app

PAGE_SIZE = 10
SCRIPT_TITLE = "<script>alert('x')</script> Atasco de papel"


def article(id, title, body_html, tags, models=(), summary=""):
    return {"id": id, "title": title, "body": "(markdown)", "body_html": body_html, "tags": list(tags),
            "models": list(models), "summary": summary, "created_at": "2026-10-01T12:00:00+00:00",
            "updated_at": "2026-11-10T18:00:00+00:00"}


class FakeKnowledge(ScopedService):
    """Articles found by words in their title, tags or summary; a title hit ranks first."""

    def __init__(self, tokens):
        super().__init__(tokens)
        self.articles = [
            article("art-1", "Cómo cambiar el tóner", "<h2>Pasos</h2><p>Abra la <strong>tapa frontal</strong>.</p>",
                    ["tóner", "how-to"], ["imageRUNNER ADVANCE C3530"], "Abra la tapa frontal y retire el cartucho."),
            article("art-2", "Error E000 después de cambiar tóner", "<p>Apague y encienda.</p>", ["errores"],
                    summary="Apague el equipo y vuelva a encenderlo."),
            article("art-3", SCRIPT_TITLE, f"<p>{html.escape('<b>no es HTML</b>')}</p>", ["papel"],
                    summary="<img src=x onerror=alert(1)> Retire el papel atorado."),
        ]

    def search(self, request):
        principal, refused = self.principal(request)
        if refused:
            return refused
        unknown = set(request.args) - {"q", "tag", "model", "page"}
        if unknown:
            return invalid({name: ["Unknown field."] for name in unknown})
        q = request.args.get("q")
        if q is None:
            return invalid({"q": ["Missing data for required field."]})
        if not q.strip() and not request.args.get("tag"):
            return invalid({"q": ["Give the words to search for."]}, field_codes={"q": "field.required"})
        words = q.lower().split()
        tag = request.args.get("tag")
        page = int(request.args.get("page", 1))
        scored = []
        for item in self.articles:
            if tag and tag not in item["tags"]:
                continue
            title = item["title"].lower()
            rest = " ".join([*item["tags"], item["summary"]]).lower()
            score = sum(2.0 for word in words if word in title) + sum(1.0 for word in words if word in rest)
            if score or not words:  # a category browsed without words: all of its articles
                scored.append((score, item))
        scored.sort(key=lambda pair: -pair[0])
        hits = [{key: item[key] for key in ("id", "title", "summary", "tags", "models", "updated_at")}
                | {"score": score} for score, item in scored[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]]
        return json_response({"items": hits, "total": len(scored), "page": page, "page_size": PAGE_SIZE})

    def overview(self, request):
        principal, refused = self.principal(request)
        if refused:
            return refused
        tags: dict[str, int] = {}
        for item in self.articles:
            for tag in item["tags"]:
                tags[tag] = tags.get(tag, 0) + 1
        recent = [{key: item[key] for key in ("id", "title", "summary", "tags", "models", "updated_at")} | {"score": 0}
                  for item in self.articles[:2]]
        return json_response({"tags": [{"tag": tag, "articles": count} for tag, count in tags.items()],
                              "recent": recent})

    def get(self, request, id):
        principal, refused = self.principal(request)
        if refused:
            return refused
        found = next((item for item in self.articles if item["id"] == id), None)
        if found is None:
            return problem(404, "Not found", f"No article {id}.", code="servicedesk.article_not_found")
        return json_response({key: value for key, value in found.items() if key != "summary"})

    def app(self):
        return routed_app([
            ("GET", "/api/v1/knowledge", self.search),
            ("GET", "/api/v1/knowledge/overview", self.overview),
            ("GET", "/api/v1/knowledge/{id}", self.get),
        ])
