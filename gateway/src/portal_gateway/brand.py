"""The deployment's brand on every page: its name in the top bar and the titles, its logo, and its
colours, which portal.css reads as custom properties from a small generated stylesheet.

A stylesheet rather than a <style> in the page: the Content-Security-Policy (security_headers.py)
allows styles from files of the gateway only. The stylesheet, the logo and the icon are linked
with a version taken from their content, so browsers may keep them for a year and still see a new
brand the first page after a deployment changes it.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for
from flask_babel import gettext as _
from portal_shared.brand import PNG, SVG, Brand, brand_from_settings

EXTENSION = "portal_brand"
# Linked with their version: never stale, so kept as long as browsers will.
LONG_CACHE = "public, max-age=31536000, immutable"

brand = Blueprint("brand", __name__)


def _version(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


class BrandAssets:
    """What the brand's URLs answer, built once when the app starts."""

    def __init__(self, settings: Brand):
        self.brand = settings
        self.stylesheet = (
            "/* The deployment's brand colours (BRAND_PRIMARY_COLOR, BRAND_ACCENT_COLOR), read by portal.css. */\n"
            f":root {{ --brand-primary: {settings.primary_color}; --brand-accent: {settings.accent_color}; }}\n"
        ).encode()
        # The portal's mark, a white diamond, on the primary colour.
        self.icon = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
            f'<rect width="32" height="32" rx="6" fill="{settings.primary_color}"/>'
            '<path d="M16 6 26 16 16 26 6 16Z" fill="#fff"/></svg>\n'
        ).encode()
        self.stylesheet_version = _version(self.stylesheet)
        self.icon_version = _version(self.icon)


def _assets() -> BrandAssets:
    return current_app.extensions[EXTENSION]


def _cached(content: bytes, mimetype: str, version: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Cache-Control"] = LONG_CACHE
    response.set_etag(version)
    return response.make_conditional(request)


@brand.get("/brand.css")
def stylesheet():
    assets = _assets()
    return _cached(assets.stylesheet, "text/css", assets.stylesheet_version)


@brand.get("/brand/icon.svg")
def icon():
    assets = _assets()
    return _cached(assets.icon, SVG, assets.icon_version)


@brand.get("/brand/logo")
def logo():
    configured = _assets().brand.logo
    if configured is None:
        abort(404)
    return _cached(configured.content, configured.media_type, configured.version)


def init_brand(app: Flask) -> None:
    """Reads and checks the brand settings: a bad colour, a colour white text cannot be read on, or
    an unreadable logo stops the app here, naming the variable."""
    assets = BrandAssets(brand_from_settings(app.config, logo_types=(SVG, PNG)))
    app.extensions[EXTENSION] = assets
    app.register_blueprint(brand)

    @app.context_processor
    def _brand() -> dict[str, object]:
        configured = assets.brand
        return {
            # A configured name is a proper name: the same in every language.
            "brand_name": configured.name or _("Customer Portal"),
            "brand_logo_url": url_for("brand.logo", v=configured.logo.version) if configured.logo else None,
            "brand_css_url": url_for("brand.stylesheet", v=assets.stylesheet_version),
            "brand_icon_url": url_for("brand.icon", v=assets.icon_version),
        }
