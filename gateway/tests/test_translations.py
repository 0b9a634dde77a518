"""The catalogs: complete for Spanish, and compiled by the console script."""
from __future__ import annotations

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from portal_gateway.i18n import PACKAGE_TRANSLATIONS, compile_translations_main


def test_every_message_has_a_spanish_translation():
    with (PACKAGE_TRANSLATIONS / "es/LC_MESSAGES/messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    missing = [message.id for message in catalog if message.id and not message.string]
    assert missing == []


def test_console_script_compiles_every_language(tmp_path, capsys):
    compile_translations_main(["-d", str(tmp_path)])
    for language in ("es", "en"):
        with (tmp_path / language / "LC_MESSAGES/messages.mo").open("rb") as mo_file:
            catalog = read_mo(mo_file)
        assert catalog.locale_identifier == language or str(catalog.locale) == language
    with (tmp_path / "es/LC_MESSAGES/messages.mo").open("rb") as mo_file:
        assert read_mo(mo_file).get("Sign in").string == "Iniciar sesión"
    assert "compiled" in capsys.readouterr().out


def test_the_catalogs_cover_every_message_in_the_code_and_templates():
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    package = PACKAGE_TRANSLATIONS.parent
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(package), [("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords={**DEFAULT_KEYWORDS, "_l": None},
    ):
        found.add(message if isinstance(message, str) else message[0])
    for language in ("es", "en"):
        with (PACKAGE_TRANSLATIONS / language / "LC_MESSAGES/messages.po").open("rb") as po_file:
            listed = {m.id for m in read_po(po_file) if m.id}
        assert found - listed == set(), f"{language}: not in the catalog"
