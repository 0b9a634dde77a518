"""Languages of the web UI: Spanish by default, English on request.

Catalogs live in translations/<lang>/LC_MESSAGES/messages.po; the compiled .mo files are
built at install time (Dockerfile, or `portal-gateway-compile-translations`) and not kept in
git. A checkout that was never compiled still runs: the catalogs are then compiled into
VAR_DIR at start-up.
"""
from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from urllib.parse import urlencode

from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale

PACKAGE_TRANSLATIONS = Path(__file__).parent / "translations"
log = logging.getLogger(__name__)


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile every <lang>/LC_MESSAGES/*.po under source into the same layout under target."""
    written = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        # One temporary file per process: the workers of one gunicorn may compile at the same time.
        temporary = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)
        written.append(mo_path)
    return written


def _compiled(directory: Path) -> bool:
    catalogs = list(PACKAGE_TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
    for po_path in catalogs:
        mo_path = directory / po_path.relative_to(PACKAGE_TRANSLATIONS).with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            return False
    return True


def translations_dir(configured: str | None, var_dir: Path) -> Path:
    if configured:
        return Path(configured)
    if _compiled(PACKAGE_TRANSLATIONS):
        return PACKAGE_TRANSLATIONS
    fallback = var_dir / "gateway" / "translations"
    if not _compiled(fallback):
        log.warning("translations not compiled at install time; compiling into %s", fallback)
        compile_catalogs(PACKAGE_TRANSLATIONS, fallback)
    return fallback


def select_locale() -> str:
    languages = _languages()
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # The portal speaks Spanish unless the person switches: a browser's language settings
    # (often English on office machines in Mexico) do not choose for them.
    return languages[0]


def _languages() -> tuple[str, ...]:
    return current_app.config["LANGUAGES"]


def language_url(code: str) -> str:
    """This page in another language, keeping its query (a reset link's token, say)."""
    args = {key: value for key, value in request.args.items() if key != "lang"}
    args["lang"] = code
    return f"{request.path}?{urlencode(args)}"


def init_i18n(app: Flask, var_dir: Path) -> None:
    directory = translations_dir(app.config.get("TRANSLATIONS_DIR"), var_dir)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"current_language": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
                "language_url": language_url}

    @app.before_request
    def _remember_language() -> None:
        wanted = request.args.get("lang")
        if wanted in app.config["LANGUAGES"] and session.get("lang") != wanted:
            session["lang"] = wanted


def compile_translations_main(argv: list[str] | None = None) -> None:
    """Console script: portal-gateway-compile-translations [-d DIR] (default: the package's)."""
    parser = argparse.ArgumentParser(description="Compile the gateway's .po catalogs into .mo files.")
    parser.add_argument("-d", "--directory", type=Path, default=PACKAGE_TRANSLATIONS,
                        help="where to write <lang>/LC_MESSAGES/messages.mo (default: inside the package)")
    args = parser.parse_args(argv)
    for path in compile_catalogs(PACKAGE_TRANSLATIONS, args.directory):
        print(f"compiled {path}")
