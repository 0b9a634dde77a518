"""Knowledge articles through the API, on PostgreSQL and on a migrated SQLite file alike: who reads
and writes, ranked search in Spanish and English, filters and pages, the index following every
write, safe HTML, and bad input that writes nothing."""
from __future__ import annotations

import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from portal_shared.db import make_engine, make_session_factory, transaction
from portal_shared.db.migrate import upgrade_head
from servicedesk_service.adapters.orm import KnowledgeArticle, KnowledgeTerm

READERS = ["admin", "billing", "device_admin", "stock_admin", "stock_device_admin", "knowledge_user", "agent",
           "operator"]


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def knowledge_database(request, tmp_path_factory, service_under_test) -> str:
    if request.param == "postgresql":
        return request.getfixturevalue("database_url")
    url = f"sqlite:///{tmp_path_factory.mktemp('knowledge') / 'servicedesk.db'}"
    upgrade_head(service_under_test.migrations_dir, url)
    return url


@pytest.fixture(scope="module")
def store(knowledge_database):
    engine = make_engine(knowledge_database)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def app(make_app, clock, knowledge_database):
    return make_app(CLOCK=clock, DATABASE_URL=knowledge_database)


@pytest.fixture
def operator(bearer):
    return bearer("operator")


@pytest.fixture
def reader(bearer):
    return bearer("knowledge_user", customer_id=uuid.uuid4())


@pytest.fixture
def shelf() -> str:
    """A tag of this test's own: searching with it leaves out the articles other tests wrote."""
    return f"estante-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def publish(client, operator, shelf):
    def make(title: str, body: str = "Texto del artículo.", tags=(), models=()) -> dict:
        response = client.post("/api/v1/knowledge", headers=operator, json={
            "title": f"{title} ({uuid.uuid4().hex[:6]})", "body": body, "tags": [shelf, *tags],
            "models": list(models)})
        assert response.status_code == 201, response.json
        return response.json

    return make


def found(client, headers, q, **params) -> dict:
    response = client.get("/api/v1/knowledge", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def counts(store) -> tuple[int, int]:
    with transaction(store) as session:
        return (session.scalar(sa.select(sa.func.count()).select_from(KnowledgeArticle)),
                session.scalar(sa.select(sa.func.count()).select_from(KnowledgeTerm)))


def terms_of(store, article_id) -> int:
    with transaction(store) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(KnowledgeTerm)
                              .where(KnowledgeTerm.article_id == uuid.UUID(article_id)))


# --- who reads, who writes -------------------------------------------------------------------------

@pytest.mark.parametrize("role", READERS)
def test_every_signed_in_role_reads_and_searches(client, bearer, publish, shelf, role):
    article = publish("Cambio de tóner", "Retire el cartucho **vacío**.")
    customer = None if role in ("agent", "operator") else uuid.uuid4()
    headers = bearer(role, customer_id=customer)
    response = client.get(f"/api/v1/knowledge/{article['id']}", headers=headers)
    assert response.status_code == 200
    assert response.json["body"] == "Retire el cartucho **vacío**."
    assert "<strong>vacío</strong>" in response.json["body_html"]
    assert [item["id"] for item in found(client, headers, "toner", tag=shelf)["items"]] == [article["id"]]


def test_without_a_token_nothing_is_read(client, publish):
    article = publish("Sin sesión")
    assert client.get(f"/api/v1/knowledge/{article['id']}").status_code == 401
    assert client.get("/api/v1/knowledge", query_string={"q": "sesion"}).status_code == 401


@pytest.mark.parametrize("role", ["admin", "agent", "knowledge_user", "device_admin"])
def test_only_operators_write(client, bearer, publish, store, role):
    article = publish("Solo lectura")
    headers = bearer(role, customer_id=None if role == "agent" else uuid.uuid4())
    before = counts(store)
    assert client.post("/api/v1/knowledge", headers=headers,
                       json={"title": f"Intento {uuid.uuid4()}", "body": "x"}).status_code == 403
    path = f"/api/v1/knowledge/{article['id']}"
    assert client.patch(path, headers=headers, json={"title": "Otro"}).status_code == 403
    assert client.delete(f"/api/v1/knowledge/{article['id']}", headers=headers).status_code == 403
    assert counts(store) == before
    assert client.get(f"/api/v1/knowledge/{article['id']}", headers=headers).json["title"] == article["title"]


def test_publishing_answers_the_article_and_indexes_it(client, operator, shelf, store, clock):
    response = client.post("/api/v1/knowledge", headers=operator, json={
        "title": f"  Lectura   de contadores {shelf} ", "body": "Imprima la **página de contadores**.",
        "tags": [shelf, "contadores", " Contadores "], "models": ["imageRUNNER 2630"]})
    assert response.status_code == 201, response.json
    article = response.json
    assert article["title"] == f"Lectura de contadores {shelf}"
    assert article["tags"] == [shelf, "contadores"]
    assert article["models"] == ["imageRUNNER 2630"]
    assert article["created_at"] == article["updated_at"] == clock().isoformat()
    assert terms_of(store, article["id"]) > 0


# --- search ----------------------------------------------------------------------------------------

def test_impresora_finds_an_article_that_says_impresoras(client, reader, publish, shelf):
    plural = publish("Escanear a carpeta", "Las impresoras de cada piso envían el documento a la carpeta.")
    publish("Cambio de tóner", "Retire el cartucho vacío.")
    assert [item["id"] for item in found(client, reader, "impresora", tag=shelf)["items"]] == [plural["id"]]


def test_atasco_de_papel_ranks_the_article_so_titled_first(client, reader, publish, shelf):
    mentions = publish("Cargar la bandeja", "Cargue papel tamaño carta y ajuste las guías.")
    titled = publish("Atasco de papel", "Abra la puerta frontal y retire la hoja atascada.")
    result = found(client, reader, "atasco de papel", tag=shelf)
    assert [item["id"] for item in result["items"]] == [titled["id"], mentions["id"]]
    assert result["items"][0]["score"] > result["items"][1]["score"] > 0
    assert result["total"] == 2


def test_english_paper_jams_finds_paper_jam(client, reader, publish, shelf):
    jam = publish("Paper jam", "Open the front cover and pull the sheet out.")
    publish("Toner replacement", "Shake the new cartridge before inserting it.")
    assert [item["id"] for item in found(client, reader, "paper jams", tag=shelf)["items"]] == [jam["id"]]
    assert [item["id"] for item in found(client, reader, "jams", tag=shelf)["items"]] == [jam["id"]]


def test_accents_are_folded(client, reader, publish, shelf):
    article = publish("Configuración de red", "Asigne una dirección IP fija.")
    assert [item["id"] for item in found(client, reader, "configuracion", tag=shelf)["items"]] == [article["id"]]
    assert [item["id"] for item in found(client, reader, "DIRECCIÓN", tag=shelf)["items"]] == [article["id"]]


def test_another_articles_words_do_not_match(client, reader, publish, shelf):
    scan = publish("Escaneo a correo", "Registre el servidor SMTP.")
    wifi = publish("Red inalámbrica", "Elija la red Wi-Fi en el panel.")
    assert [item["id"] for item in found(client, reader, "smtp", tag=shelf)["items"]] == [scan["id"]]
    assert [item["id"] for item in found(client, reader, "wifi", tag=shelf)["items"]] == [wifi["id"]]
    assert found(client, reader, "grapadora", tag=shelf) == {"items": [], "total": 0, "page": 1, "page_size": 10}


def test_the_tag_filter_keeps_only_articles_with_the_tag(client, reader, publish, shelf):
    tag = f"Mantenimiento-{uuid.uuid4().hex[:6]}"
    tagged = publish("Fusor con tag", "Revise el fusor.", tags=[tag])
    untagged = publish("Fusor sin tag", "Revise el fusor.")
    assert [item["id"] for item in found(client, reader, "fusor", tag=tag.lower())["items"]] == [tagged["id"]]
    assert sorted(item["id"] for item in found(client, reader, "fusor", tag=shelf)["items"]) == sorted(
        [tagged["id"], untagged["id"]])


def test_the_model_filter_takes_the_model_and_its_series(client, reader, publish, shelf):
    exact = publish("Código E000 exacto", "Apague el equipo.", models=["imageRUNNER ADVANCE DX C5840i"])
    series = publish("Código E000 serie", "Apague el equipo.", models=["imageRUNNER ADVANCE DX"])
    publish("Código E000 otro", "Apague el equipo.", models=["imageRUNNER 2630"])
    result = found(client, reader, "e000", tag=shelf, model="imageRUNNER ADVANCE DX C5840i")
    assert sorted(item["id"] for item in result["items"]) == sorted([exact["id"], series["id"]])
    assert found(client, reader, "e000", tag=shelf, model="imageCLASS")["total"] == 0


def test_pages_split_the_ranking_without_overlap(client, reader, publish, shelf):
    ids = {publish(f"Artículo {n}", f"Rodillo de arrastre número {n}.")["id"] for n in range(12)}
    first = found(client, reader, "rodillo", tag=shelf)
    second = found(client, reader, "rodillo", tag=shelf, page=2)
    assert (first["total"], second["total"]) == (12, 12)
    assert (len(first["items"]), len(second["items"])) == (10, 2)
    assert {item["id"] for item in first["items"]} | {item["id"] for item in second["items"]} == ids
    assert found(client, reader, "rodillo", tag=shelf, page=3)["items"] == []


def test_a_hit_carries_a_summary_without_markdown(client, reader, publish, shelf):
    publish("Resumen", "## Pasos\n\nAbra la **bandeja** y vea [el manual](https://example.com/manual).")
    item = found(client, reader, "bandeja", tag=shelf)["items"][0]
    assert item["summary"] == "Pasos Abra la bandeja y vea el manual."
    assert set(item) == {"id", "title", "summary", "tags", "models", "score", "updated_at"}


def test_only_stop_words_find_nothing(client, reader, publish, shelf):
    publish("De la red", "El de la los.")
    assert found(client, reader, "de la the", tag=shelf)["total"] == 0


# --- the index follows every write ----------------------------------------------------------------

def test_an_edit_rewrites_the_index(client, operator, reader, publish, shelf, clock):
    article = publish("Bandeja manual", "Use la bandeja para sobres.")
    clock.moment += timedelta(hours=1)
    response = client.patch(f"/api/v1/knowledge/{article['id']}", headers=operator,
                            json={"body": "Use la bandeja para etiquetas."})
    assert response.status_code == 200, response.json
    assert response.json["updated_at"] == clock().isoformat()
    assert response.json["created_at"] == article["created_at"]
    assert response.json["title"] == article["title"]
    assert found(client, reader, "sobres", tag=shelf)["total"] == 0
    assert [item["id"] for item in found(client, reader, "etiquetas", tag=shelf)["items"]] == [article["id"]]


def test_a_new_title_is_searched_for(client, operator, reader, publish, shelf):
    article = publish("Nombre viejo")
    response = client.patch(f"/api/v1/knowledge/{article['id']}", headers=operator,
                            json={"title": f"Calibración de color {shelf}", "tags": [shelf, "color"]})
    assert response.status_code == 200, response.json
    assert found(client, reader, "viejo", tag=shelf)["total"] == 0
    assert [item["id"] for item in found(client, reader, "calibracion", tag=shelf)["items"]] == [article["id"]]
    assert response.json["tags"] == [shelf, "color"]


def test_deleting_takes_the_article_and_its_index_away(client, operator, reader, publish, shelf, store):
    article = publish("Para borrar", "Tambor de imagen.")
    assert client.delete(f"/api/v1/knowledge/{article['id']}", headers=operator).status_code == 204
    assert client.get(f"/api/v1/knowledge/{article['id']}", headers=reader).status_code == 404
    assert found(client, reader, "tambor", tag=shelf)["total"] == 0
    assert terms_of(store, article["id"]) == 0


# --- safe HTML -------------------------------------------------------------------------------------

class LiveParts(HTMLParser):
    """What a browser would run or follow in rendered HTML."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (name in ("href", "src") and not (value or "").startswith("https:")):
                self.found.append(f"{name}={value}")


def test_body_html_has_nothing_live(client, reader, publish):
    article = publish("Contenido hostil", (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[clic](javascript:alert(3)) <javascript:alert(4)> ![x](data:text/html,hola)\n\n"
        "[seguro](https://example.com/ok)"))
    html = client.get(f"/api/v1/knowledge/{article['id']}", headers=reader).json["body_html"]
    parser = LiveParts()
    parser.feed(html)
    assert parser.found == []
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.com/ok">seguro</a>' in html


# --- bad input writes nothing -----------------------------------------------------------------------

@pytest.mark.parametrize(("params", "field"), [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"q": "papel", "page": "0"}, "page"),
    ({"q": "papel", "page": "uno"}, "page"),
    ({"q": "papel", "tag": ""}, "tag"),
    ({"q": "papel", "sort": "date"}, "sort"),
])
def test_a_bad_search_names_the_parameter(client, reader, params, field):
    response = client.get("/api/v1/knowledge", query_string=params, headers=reader)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


@pytest.mark.parametrize(("body", "field"), [
    ({"body": "Texto."}, "title"),
    ({"title": "Sin cuerpo"}, "body"),
    ({"title": "   ", "body": "Texto."}, "title"),
    ({"title": "Cuerpo en blanco", "body": " \n "}, "body"),
    ({"title": "t" * 201, "body": "Texto."}, "title"),
    ({"title": "Cuerpo largo", "body": "x" * 100_001}, "body"),
    ({"title": "Tags", "body": "Texto.", "tags": "papel"}, "tags"),
    ({"title": "Tags", "body": "Texto.", "tags": ["t" * 51]}, "tags"),
    ({"title": "Tags", "body": "Texto.", "tags": [f"t{n}" for n in range(21)]}, "tags"),
    ({"title": "Modelos", "body": "Texto.", "models": [""]}, "models"),
    ({"title": "Autor", "body": "Texto.", "author": "yo"}, "author"),
])
def test_a_bad_article_is_refused_by_field_and_nothing_is_written(client, operator, store, body, field):
    before = counts(store)
    response = client.post("/api/v1/knowledge", headers=operator, json=body)
    assert response.status_code == 422, response.json
    assert any(key == field or key.startswith(f"{field}.") for key in response.json["errors"]), response.json
    assert counts(store) == before


def test_a_one_megabyte_body_is_refused_before_it_is_read(client, operator, store):
    before = counts(store)
    response = client.post("/api/v1/knowledge", headers=operator,
                           json={"title": "Enorme", "body": "x" * (1024 * 1024)})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert counts(store) == before


def test_a_second_article_with_the_same_title_is_a_conflict(client, operator, publish, store):
    article = publish("Título único")
    before = counts(store)
    response = client.post("/api/v1/knowledge", headers=operator, json={"title": article["title"], "body": "Otro."})
    assert response.status_code == 409
    assert response.json["code"] == "servicedesk.article_title_in_use"
    assert "title" in response.json["errors"]
    other = publish("Otro título")
    response = client.patch(f"/api/v1/knowledge/{other['id']}", headers=operator, json={"title": article["title"]})
    assert response.status_code == 409 and response.json["code"] == "servicedesk.article_title_in_use"
    assert counts(store)[0] == before[0] + 1


@pytest.mark.parametrize(("body", "field"), [
    ({}, "body"),
    ({"title": ""}, "title"),
    ({"body": "x" * 100_001}, "body"),
    ({"summary": "no"}, "summary"),
])
def test_a_bad_edit_changes_nothing(client, operator, reader, publish, store, body, field):
    article = publish("Intacto", "Texto original con engrane.")
    before = counts(store)
    response = client.patch(f"/api/v1/knowledge/{article['id']}", headers=operator, json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert counts(store) == before
    unchanged = client.get(f"/api/v1/knowledge/{article['id']}", headers=reader).json
    assert unchanged["body"] == "Texto original con engrane."
    assert unchanged["updated_at"] == article["updated_at"]


def test_an_unknown_article_is_404_and_nothing_is_written(client, operator, reader, store):
    unknown = uuid.uuid4()
    before = counts(store)
    assert client.get(f"/api/v1/knowledge/{unknown}", headers=reader).status_code == 404
    response = client.patch(f"/api/v1/knowledge/{unknown}", headers=operator, json={"title": "Nuevo"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "servicedesk.article_not_found"
    assert client.delete(f"/api/v1/knowledge/{unknown}", headers=operator).status_code == 404
    assert counts(store) == before


def test_the_openapi_document_lists_the_knowledge_routes(client):
    paths = client.get("/openapi.json").json["paths"]
    assert set(paths["/api/v1/knowledge"]) >= {"get", "post"}
    assert set(paths["/api/v1/knowledge/{article_id}"]) >= {"get", "patch", "delete"}


def test_a_category_is_browsed_without_words_newest_first(client, reader, publish, shelf, clock):
    tag = f"Tóner-{uuid.uuid4().hex[:6]}"
    older = publish("Cambiar el tóner", tags=[tag])
    clock.moment += timedelta(seconds=60)
    newer = publish("Tóner que mancha", tags=[tag.upper()])
    publish("Otro tema")
    browsed = found(client, reader, "", tag=tag.lower())
    assert [item["id"] for item in browsed["items"]] == [newer["id"], older["id"]]
    assert browsed["total"] == 2


def test_the_overview_names_each_category_with_its_articles_and_the_latest(client, reader, publish, shelf, clock):
    tag = f"Escáner-{uuid.uuid4().hex[:6]}"
    publish("Escanear a correo", tags=[tag])
    clock.moment += timedelta(days=30)  # newer than anything the module's other tests wrote
    latest = publish("Escanear a carpeta", tags=[tag.lower()])
    answer = client.get("/api/v1/knowledge/overview", headers=reader)
    assert answer.status_code == 200, answer.json
    counted = {entry["tag"].lower(): entry["articles"] for entry in answer.json["tags"]}
    assert counted[tag.lower()] == 2 and counted[shelf] == 2
    assert answer.json["recent"][0]["id"] == latest["id"]
    assert "summary" in answer.json["recent"][0]
    assert client.get("/api/v1/knowledge/overview").status_code == 401
