"""The deployment's brand on the pages: its name in the bar and the titles, its logo served with its
type and a long cache, its colours in the stylesheet portal.css reads, and a brand the pages
could not show (a mistyped colour, white text unreadable on it) stopping the gateway at start."""
from __future__ import annotations

import re

import pytest
from portal_shared.brand import BrandConfigError

from conftest import text

SVG_LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" fill="#fff"/></svg>'
# The smallest PNG header a browser would start reading; the gateway serves the bytes as given.
PNG_LOGO = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match, "the page has no title"
    return match.group(1).strip()


def brand_link(page: str) -> str:
    """The top bar's link home, which carries the brand."""
    match = re.search(r'<a class="brand"[^>]*>(.*?)</a>', page, re.S)
    assert match, "the top bar has no brand"
    return match.group(1)


def linked(page: str, rel: str, start: str) -> str:
    found = [href for found_rel, href in re.findall(r'<link rel="([^"]+)"[^>]*href="([^"]+)"', page)
             if found_rel == rel and href.startswith(start)]
    assert len(found) == 1, f"the page links {found} as {rel} starting {start}"
    return found[0]


def test_without_a_brand_the_portal_keeps_its_translated_name_mark_and_red(make_gateway, urls):
    ui = make_gateway(urls).test_client()

    english, spanish = text(ui.get("/login?lang=en")), text(ui.get("/login?lang=es"))

    assert title(english).endswith("· Customer Portal") and title(spanish).endswith("· Portal de Clientes")
    assert brand_link(english) == '<span class="brand-mark" aria-hidden="true">■</span> Customer Portal'
    assert "<img" not in brand_link(spanish) and "Portal de Clientes" in brand_link(spanish)
    stylesheet = ui.get(linked(english, "stylesheet", "/brand.css"))
    assert "--brand-primary: #cc0000; --brand-accent: #a30000;" in text(stylesheet)
    assert ui.get("/brand/logo").status_code == 404
    icon = ui.get(linked(english, "icon", "/brand/icon.svg"))
    assert icon.mimetype == "image/svg+xml" and b'fill="#cc0000"' in icon.data


def test_a_configured_name_logo_and_colours_are_shown_in_both_languages(make_gateway, urls, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(SVG_LOGO)
    ui = make_gateway(urls, BRAND_NAME="Copiadoras del Valle", BRAND_LOGO_PATH=str(logo),
                      BRAND_PRIMARY_COLOR="#0B5394", BRAND_ACCENT_COLOR="#073763").test_client()

    for language in ("es", "en"):
        page = text(ui.get(f"/login?lang={language}"))
        assert title(page).endswith("· Copiadoras del Valle"), language
        assert "Customer Portal" not in page and "Portal de Clientes" not in page
        (logo_url,) = re.findall(r'<img class="brand-logo" src="([^"]+)" alt="Copiadoras del Valle">', brand_link(page))
        # Pages style from files only (the Content-Security-Policy allows no inline style).
        assert "<style" not in page and " style=" not in page

    served = ui.get(logo_url)
    assert served.status_code == 200 and served.data == SVG_LOGO
    assert served.mimetype == "image/svg+xml"
    assert "max-age=31536000" in served.headers["Cache-Control"]
    stylesheet = ui.get(linked(page, "stylesheet", "/brand.css"))
    assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/css"
    assert "--brand-primary: #0b5394; --brand-accent: #073763;" in text(stylesheet)
    assert "max-age=31536000" in stylesheet.headers["Cache-Control"]
    assert b'fill="#0b5394"' in ui.get(linked(page, "icon", "/brand/icon.svg")).data


def test_portal_css_takes_its_brand_colours_from_the_brand_stylesheet(client):
    css = text(client.get("/static/portal.css"))

    assert "var(--brand-primary)" in css and "var(--brand-accent)" in css
    # The brand's red is nowhere fixed: only errors keep theirs.
    assert "--red" not in css
    assert re.findall(r"#cc0000|#a30000", css) == ["#cc0000", "#a30000"]
    assert re.search(r"--error: #cc0000;\s*--error-dark: #a30000;", css)


def test_a_png_logo_is_served_as_png_and_linked_by_its_content(make_gateway, urls, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG_LOGO)
    ui = make_gateway(urls, BRAND_LOGO_PATH=str(logo)).test_client()
    first_url = re.search(r'<img class="brand-logo" src="([^"]+)"', text(ui.get("/login"))).group(1)

    served = ui.get(first_url)
    assert served.mimetype == "image/png" and served.data == PNG_LOGO
    # Without a name the logo stands for the portal's own, in the page's language.
    assert 'alt="Portal de Clientes"' in text(ui.get("/login?lang=es"))

    logo.write_bytes(PNG_LOGO + b"\x01")
    changed = make_gateway(urls, BRAND_LOGO_PATH=str(logo)).test_client()
    assert re.search(r'<img class="brand-logo" src="([^"]+)"', text(changed.get("/login"))).group(1) != first_url


def test_the_brand_is_read_from_the_environment(make_gateway, urls, monkeypatch):
    monkeypatch.setenv("BRAND_NAME", "Copiadoras del Valle")
    monkeypatch.setenv("BRAND_PRIMARY_COLOR", "#0b5394")
    ui = make_gateway(urls).test_client()

    assert title(text(ui.get("/login"))).endswith("· Copiadoras del Valle")
    assert "--brand-primary: #0b5394;" in text(ui.get(linked(text(ui.get("/login")), "stylesheet", "/brand.css")))


@pytest.mark.parametrize("variable", ["BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR"])
def test_a_mistyped_colour_stops_the_gateway_naming_the_variable(make_gateway, urls, monkeypatch, variable):
    monkeypatch.setenv(variable, "0b5394")
    with pytest.raises(BrandConfigError) as refused:
        make_gateway(urls)
    assert str(refused.value).startswith(f"{variable} must be a colour written as #rrggbb")


@pytest.mark.parametrize("variable", ["BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR"])
def test_a_colour_white_text_cannot_be_read_on_stops_the_gateway(make_gateway, urls, variable):
    with pytest.raises(BrandConfigError) as refused:
        make_gateway(urls, **{variable: "#FFCC00"})
    message = str(refused.value)
    # Yellow under white text: about 1.5:1, far from the 4.5:1 WCAG AA asks of text.
    assert message.startswith(f"{variable} #ffcc00: white text on it has a contrast ratio of 1.51:1, below the 4.5:1")


def test_a_logo_the_pages_cannot_show_stops_the_gateway(make_gateway, urls, tmp_path):
    gif = tmp_path / "logo.gif"
    gif.write_bytes(b"GIF89a\x01\x00\x01\x00")
    with pytest.raises(BrandConfigError, match=r"^BRAND_LOGO_PATH: .*logo\.gif is not an image this service can use \(SVG or PNG\)"):
        make_gateway(urls, BRAND_LOGO_PATH=str(gif))
    with pytest.raises(BrandConfigError, match=r"^BRAND_LOGO_PATH: cannot read"):
        make_gateway(urls, BRAND_LOGO_PATH=str(tmp_path / "missing.svg"))
