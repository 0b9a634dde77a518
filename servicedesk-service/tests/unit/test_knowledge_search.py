"""Knowledge search without a database: folding, stop words, stems of both languages, BM25 ranking,
filters, and Markdown that renders without anything live in it."""
from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest

from servicedesk_service.domain import knowledge as search
from servicedesk_service.domain.article_markdown import plain_text, summary, to_html


class Library:
    """Articles indexed in memory the way the service indexes them into its table."""

    def __init__(self):
        self.indexed: dict[uuid.UUID, search.IndexedArticle] = {}
        self.titles: dict[uuid.UUID, str] = {}

    def add(self, title: str, body: str = "", tags=(), models=()) -> uuid.UUID:
        article_id = uuid.uuid4()
        self.indexed[article_id] = search.index_article(title, list(tags), list(models), plain_text(body))
        self.titles[article_id] = title
        return article_id

    def ranked(self, query: str) -> list[str]:
        terms = search.query_terms(query)
        wanted = set().union(*terms) if terms else set()
        postings = [
            search.Posting(article_id, term, field, frequency)
            for article_id, indexed in self.indexed.items()
            for (term, field), frequency in indexed.frequencies.items()
            if term in wanted
        ]
        lengths = {article_id: indexed.lengths for article_id, indexed in self.indexed.items()}
        averages = {field: sum(i.lengths[field] for i in self.indexed.values()) / len(self.indexed)
                    for field in search.FIELDS}
        scores = search.score(terms, postings, lengths, search.Corpus(len(self.indexed), averages))
        assert all(value > 0 for value in scores.values())
        return [self.titles[i] for i in sorted(scores, key=lambda i: -scores[i])]


@pytest.fixture
def library() -> Library:
    shelf = Library()
    shelf.add("Atasco de papel en la bandeja 2", "Abra la puerta frontal y retire la hoja atascada con cuidado.",
              tags=["papel", "atasco"], models=["imageRUNNER ADVANCE DX C5840i"])
    shelf.add("Cambiar el cartucho de tóner", "Cuando el equipo avise que el tóner está bajo, cambie el cartucho. "
              "Use papel de 75 g/m² para las pruebas.", tags=["tóner"])
    shelf.add("Configuración de la red inalámbrica", "Conecte la impresora a la red Wi-Fi desde el panel.",
              tags=["red", "wifi"])
    shelf.add("Paper jam in the duplex unit", "Open the right cover and remove any jammed sheets.", tags=["paper"])
    shelf.add("Escanear a correo electrónico", "Registre el servidor SMTP y las direcciones de las impresoras.")
    return shelf


def test_fold_lowers_and_takes_accents_off():
    assert search.fold("Configuración INALÁMBRICA Ñandú") == "configuracion inalambrica nandu"


def test_words_drop_stop_words_of_both_languages_and_split_hyphens():
    assert search.words("El tóner de la impresora and the Wi-Fi") == ["toner", "impresora", "wi", "fi", "wifi"]


def test_words_keep_error_codes_and_model_names():
    assert search.words("Código E000 en imageRUNNER C5840i") == ["codigo", "e000", "imagerunner", "c5840i"]


def test_a_pasted_hash_is_no_word():
    assert search.words("x" * 65 + " toner") == ["toner"]


def test_a_query_of_only_stop_words_has_no_terms():
    assert search.query_terms("de la the of") == []


def test_singular_and_plural_share_a_term_in_spanish_and_english():
    assert search.query_terms("impresora")[0] & search.query_terms("impresoras")[0]
    assert search.query_terms("jam")[0] & search.query_terms("jams")[0]


def test_repeated_query_words_count_once():
    assert len(search.query_terms("impresora impresoras IMPRESORA")) == 1


def test_impresora_finds_the_article_that_says_impresoras(library):
    assert library.ranked("impresora") == ["Escanear a correo electrónico", "Configuración de la red inalámbrica"]


def test_atasco_de_papel_ranks_the_article_so_titled_above_one_mentioning_papel_once(library):
    ranked = library.ranked("atasco de papel")
    assert ranked[0] == "Atasco de papel en la bandeja 2"
    assert "Cambiar el cartucho de tóner" in ranked[1:]


def test_english_paper_jams_finds_paper_jam(library):
    assert library.ranked("paper jams")[0] == "Paper jam in the duplex unit"
    assert library.ranked("jams") == ["Paper jam in the duplex unit"]


def test_accents_are_folded_both_ways(library):
    assert library.ranked("configuracion")[0] == "Configuración de la red inalámbrica"
    assert library.ranked("CONFIGURACIÓN")[0] == "Configuración de la red inalámbrica"
    assert library.ranked("toner")[0] == "Cambiar el cartucho de tóner"


def test_a_title_match_outranks_the_same_word_in_a_body():
    shelf = Library()
    # Same lengths in both, the body's article first: only the weight of the field tells them apart.
    shelf.add("Limpieza del fusor", "Rodillo de arrastre.")
    shelf.add("Rodillo de arrastre", "Limpieza del fusor.")
    assert shelf.ranked("rodillo") == ["Rodillo de arrastre", "Limpieza del fusor"]


def test_a_tag_match_outranks_the_same_word_in_a_body():
    shelf = Library()
    shelf.add("Guía B", "Revisar el fusor.", tags=["unidad"])
    shelf.add("Guía A", "Revisar la unidad.", tags=["fusor"])
    assert shelf.ranked("fusor") == ["Guía A", "Guía B"]


def test_a_rarer_word_weighs_more_than_a_common_one():
    shelf = Library()
    shelf.add("Uno", "equipo equipo fusor")
    shelf.add("Dos", "equipo equipo equipo equipo")
    shelf.add("Tres", "equipo")
    assert shelf.ranked("equipo fusor")[0] == "Uno"


def test_words_of_other_articles_do_not_match(library):
    assert library.ranked("duplex") == ["Paper jam in the duplex unit"]
    assert library.ranked("cartucho") == ["Cambiar el cartucho de tóner"]
    assert library.ranked("grapadora") == []


def test_a_word_whose_two_stems_both_match_is_not_counted_twice():
    shelf = Library()
    paper = shelf.add("Paper")   # Spanish stem "pap", English "paper"
    terms = search.query_terms("paper")
    assert len(terms[0]) == 2
    postings = [search.Posting(paper, term, field, frequency)
                for (term, field), frequency in shelf.indexed[paper].frequencies.items()]
    once = search.score(terms, postings[:1], {paper: shelf.indexed[paper].lengths},
                        search.Corpus(1, {"title": 1, "tags": 0, "body": 0}))
    both = search.score(terms, postings, {paper: shelf.indexed[paper].lengths},
                        search.Corpus(1, {"title": 1, "tags": 0, "body": 0}))
    assert both == once


def test_an_article_count_behind_the_postings_keeps_scores_positive():
    shelf = Library()
    first = shelf.add("Fusor")
    postings = [search.Posting(first, term, field, frequency)
                for (term, field), frequency in shelf.indexed[first].frequencies.items()]
    scores = search.score(search.query_terms("fusor"), postings, {first: shelf.indexed[first].lengths},
                          search.Corpus(0, {}))
    assert scores[first] > 0


def test_index_lengths_count_the_words_of_each_field():
    indexed = search.index_article("Atasco de papel", ["papel"], ["iR 2630"], "Abra la bandeja y retire el papel.")
    assert indexed.lengths == {"title": 2, "tags": 3, "body": 4}
    assert indexed.frequencies[("papel", "body")] == 1


def test_labels_are_trimmed_and_kept_once():
    assert search.labels(["  Tóner ", "toner", "Red  inalámbrica", "red inalambrica", "Papel"]) == [
        "Tóner", "Red inalámbrica", "Papel"]


@pytest.mark.parametrize(("named", "model", "applies"), [
    (["imageRUNNER ADVANCE DX C5840i"], "imageRUNNER ADVANCE DX C5840i", True),
    (["imageRUNNER ADVANCE DX"], "imagerunner advance dx  C5840i", True),
    (["imageRUNNER ADVANCE DX C58"], "imageRUNNER ADVANCE DX C5840i", False),
    (["imageRUNNER 2630"], "imageRUNNER ADVANCE DX C5840i", False),
    ([], "imageRUNNER 2630", False),
])
def test_an_article_applies_to_the_models_and_series_it_names(named, model, applies):
    assert search.applies_to(named, model) is applies


class LiveParts(HTMLParser):
    """Everything in rendered HTML that a browser would run or follow."""

    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.event_attributes: list[str] = []
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style"):
            self.scripts += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.event_attributes.append(name)
            if name in ("href", "src"):
                self.targets.append(value or "")


def live_parts(html: str) -> LiveParts:
    parser = LiveParts()
    parser.feed(html)
    return parser


HOSTILE = """Texto normal.

<script>alert('x')</script>

<img src="x" onerror="alert(1)"> <a href="#" onclick="alert(2)">clic</a>

[enlace](javascript:alert(3)) [otro](JaVaScRiPt:alert(4)) <javascript:alert(5)>

![imagen](data:text/html;base64,PHNjcmlwdD4=) [ref][r] [vb](vbscript:msgbox)

[r]: javascript:alert(6)
"""


def test_nothing_hostile_comes_out_live():
    html = to_html(HOSTILE)
    found = live_parts(html)
    assert found.scripts == 0
    assert found.event_attributes == []
    assert found.targets == []
    assert "&lt;script&gt;" in html


def test_ordinary_markdown_renders():
    html = to_html("## Pasos\n\n1. Abra la **bandeja**\n2. Vea [el manual](https://example.com/manual)\n\n`E000`")
    assert "<h2>Pasos</h2>" in html
    assert "<strong>bandeja</strong>" in html
    assert live_parts(html).targets == ["https://example.com/manual"]
    assert "<code>E000</code>" in html


def test_plain_text_leaves_out_syntax_and_link_targets():
    text = plain_text("# Título\n\nVea [el manual](https://example.com/secreto) y **esto**.")
    assert "secreto" not in text
    assert text == "Título\n\nVea el manual y esto."


def test_summary_is_cut_at_a_word():
    assert summary("uno dos tres cuatro", length=10) == "uno dos…"
    assert summary("corto") == "corto"
