"""Knowledge pages against stand-ins playing identity and servicedesk's knowledge API."""
from __future__ import annotations

import pytest
from portal_shared.auth.roles import ALL_ROLES

from conftest import serve, sign_in, stopped_url, text
from standin_knowledge import SCRIPT_TITLE, FakeKnowledge

PLAYED = ("identity", "servicedesk")


@pytest.fixture
def servicedesk(tokens):
    yield from serve(FakeKnowledge(tokens))


def results(page: str) -> str:
    start = page.index('id="knowledge-results"')
    return page[start:page.index("</ol>", start)]


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_every_role_searches_and_reads(ui, identity, servicedesk, role):
    sign_in(ui, identity, [role])
    home = text(ui.get("/"))
    assert 'href="/knowledge"' in home and 'id="home-knowledge"' in home
    first = ui.get("/knowledge")
    assert first.status_code == 200 and 'id="knowledge-search"' in text(first) and 'name="q"' in text(first)
    # Before anything is typed only the landing page's categories and latest articles are asked for.
    assert [call["path"] for call in servicedesk.calls] == ["/api/v1/knowledge/overview"]
    found = ui.get("/knowledge?q=tóner")
    assert found.status_code == 200 and "Cómo cambiar el tóner" in results(text(found))
    assert ui.get("/knowledge/art-1").status_code == 200
    for call in servicedesk.calls:
        assert call["headers"]["authorization"].startswith("Bearer ") and "customer_id" not in call["args"]


def test_a_knowledge_user_sees_knowledge_and_nothing_that_would_refuse(ui, identity, servicedesk):
    sign_in(ui, identity, ["knowledge_user"])
    home = text(ui.get("/"))
    nav = home[home.index('class="mainnav"'):home.index("</nav>", home.index('class="mainnav"'))]
    links = {href for href in (part.split('"')[0] for part in nav.split('href="')[1:])}
    assert links == {"/", "/knowledge"}
    # What concerns the person, beside "Sign out".
    assert 'href="/password"' in home[home.index('class="account"'):home.index('class="mainnav"')]
    for path in ("/balances", "/invoices", "/statements", "/payments", "/stock", "/toner-orders", "/users"):
        assert f'href="{path}"' not in home, path
        assert ui.get(path).status_code == 403, path
    search = text(ui.get("/knowledge?q=papel"))
    assert 'aria-current="page"' in search


def test_results_in_the_services_order_with_summary_and_tags(ui, identity, servicedesk):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/knowledge?q=tóner"))
    found = results(page)
    assert found.index("Cómo cambiar el tóner") < found.index("Error E000 después de cambiar tóner")
    assert "Abra la tapa frontal y retire el cartucho." in found
    assert "imageRUNNER ADVANCE C3530" in found
    assert 'href="/knowledge/art-1?q=t%C3%B3ner"' in found
    # Tag links keep the words and filter by the tag.
    assert 'href="/knowledge?q=t%C3%B3ner&amp;tag=errores"' in found
    tagged = text(ui.get("/knowledge?q=tóner&tag=errores"))
    assert servicedesk.calls[-1]["args"] == {"q": "tóner", "tag": "errores", "page": "1"}
    assert "Error E000" in results(tagged) and "Cómo cambiar el tóner" not in results(tagged)
    assert 'id="tag-clear"' in tagged


def test_an_empty_search_shows_the_services_message_on_the_page(ui, identity, servicedesk):
    sign_in(ui, identity, ["knowledge_user"])
    response = ui.get("/knowledge?q=+")
    page = text(response)
    assert response.status_code == 422
    # servicedesk names its message field.required: said under the box in the
    # page's language, never in the service's English.
    assert 'id="knowledge-search"' in page and 'aria-invalid="true"' in page
    assert "Este campo es obligatorio." in page
    assert "Give the words to search for." not in page and "Invalid or missing" not in page
    assert "Faltan datos o alguno no es válido." not in page  # the field says why: no sentence above it
    assert servicedesk.calls[-1]["args"] == {"q": " ", "page": "1"}
    # Not even sent blank by the browser: still the service's word on it, still the search page.
    empty = ui.get("/knowledge?q=")
    assert empty.status_code == 422 and "Este campo es obligatorio." in text(empty)
    assert 'id="knowledge-search"' in text(empty)


def test_no_match_says_so(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/knowledge?q=fotocopiadora+voladora"))
    assert "Ningún artículo coincide." in page


def test_markup_in_titles_and_summaries_is_escaped(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/knowledge?q=papel"))
    assert SCRIPT_TITLE not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Atasco de papel" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    article = text(ui.get("/knowledge/art-3"))
    assert "<script>alert" not in article and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in article


def test_the_article_shows_its_rendered_body(ui, identity, servicedesk):
    sign_in(ui, identity, ["knowledge_user"])
    response = ui.get("/knowledge/art-1?q=tóner")
    page = text(response)
    assert response.status_code == 200
    assert "<h2>Pasos</h2><p>Abra la <strong>tapa frontal</strong>.</p>" in page
    assert 'href="/knowledge?q=t%C3%B3ner"' in page  # back to the same search
    # What the service escaped stays escaped: the page adds no second rendering.
    assert "&lt;b&gt;no es HTML&lt;/b&gt;" in text(ui.get("/knowledge/art-3"))


def test_unknown_article_is_not_found(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    for path in ("/knowledge/art-404", "/knowledge/bad%20id"):
        assert ui.get(path).status_code == 404, path


def test_signed_out_visitors_are_sent_to_sign_in(ui, servicedesk):
    for path in ("/knowledge", "/knowledge?q=tóner", "/knowledge/art-1"):
        assert ui.get(path).headers["Location"] == "/login"
    assert servicedesk.calls == []


def test_servicedesk_down_answers_503_naming_it(make_gateway, identity, urls):
    ui = make_gateway({**urls, "servicedesk": stopped_url()}).test_client()
    sign_in(ui, identity, ["knowledge_user"])
    for path in ("/knowledge?q=tóner", "/knowledge/art-1"):
        response = ui.get(path)
        assert response.status_code == 503, path
        page = text(response)
        assert "La base de conocimiento no está disponible" in page
        assert "servicedesk-service" not in page  # the developer's text is for the log


def test_before_a_search_the_page_shows_its_categories_and_the_latest_articles(ui, identity, servicedesk):
    sign_in(ui, identity, ["knowledge_user"])
    page = text(ui.get("/knowledge"))
    categories = page[page.index('id="knowledge-categories"'):page.index("</section>", page.index('id="knowledge-categories"'))]
    assert 'href="/knowledge?tag=t%C3%B3ner"' in categories and "(1)" in categories
    assert "Categorías" in page and "Actualizados recientemente" in page
    assert 'id="recent-art-1"' in page and "Abra la tapa frontal y retire el cartucho." in page
    # A category opened: its articles, without typing anything.
    browsed = text(ui.get("/knowledge?tag=errores"))
    assert 'id="article-art-2"' in browsed and 'id="article-art-1"' not in browsed


def test_a_detail_page_marks_its_lists_entry_in_the_navigation(ui, identity, servicedesk):
    sign_in(ui, identity, ["knowledge_user"])
    article = text(ui.get("/knowledge/art-1"))
    nav = article[article.index('class="mainnav"'):article.index("</nav>", article.index('class="mainnav"'))]
    assert '<a href="/knowledge" aria-current="page">' in nav
    assert nav.count('aria-current="page"') == 1


@pytest.mark.parametrize(("role", "cards", "absent"), [
    ("admin", ("home-users", "home-balances", "home-devices", "home-stock"), ("home-customers",)),
    ("stock_admin", ("home-stock", "home-toner-orders"), ("home-users", "home-balances", "home-devices")),
    ("billing", ("home-balances",), ("home-users", "home-stock", "home-devices")),
    ("agent", ("home-customers", "home-balances", "home-devices"), ("home-users",)),
])
def test_the_home_page_offers_the_cards_of_the_persons_roles(ui, identity, servicedesk, role, cards, absent):
    sign_in(ui, identity, [role])
    home = text(ui.get("/"))
    for card in cards:
        assert f'id="{card}"' in home, (role, card)
    for card in absent:
        assert f'id="{card}"' not in home, (role, card)
