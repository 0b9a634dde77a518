"""The brand a deployment gives the portal (name, logo, colours), read from a service's settings
and checked when the service starts, so that a mistyped colour or one white text cannot be read
on stops the process with the variable's name instead of reaching a customer's screen.

Each service owns its settings (the gateway for its pages, billing for its statements); the
reading and the checks live here so that both apply the same rules.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The portal's own red; its darker accent is derived from it (see darker()).
DEFAULT_PRIMARY_COLOR = "#cc0000"
WHITE = "#ffffff"
# WCAG 2 AA for normal-size text: the bar and the buttons carry white text on these colours.
MINIMUM_TEXT_CONTRAST = 4.5
# How much darker the accent (hover, links) is than the primary colour when none is given:
# #cc0000 gives #a30000, the red the portal has always used for them.
ACCENT_SHADE = 0.8

SVG = "image/svg+xml"
PNG = "image/png"
JPEG = "image/jpeg"
_TYPE_NAMES = {SVG: "SVG", PNG: "PNG", JPEG: "JPEG"}

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class BrandConfigError(RuntimeError):
    """A brand setting the service cannot start with; the message names the variable."""


@dataclass(frozen=True)
class Logo:
    content: bytes
    media_type: str

    @property
    def version(self) -> str:
        """Changes with the file: pages link the logo with it, so a long cache never shows an old one."""
        return hashlib.sha256(self.content).hexdigest()[:16]


@dataclass(frozen=True)
class Brand:
    # None: the service's own (translated) name for the portal.
    name: str | None
    primary_color: str
    accent_color: str
    logo: Logo | None


def parse_color(variable: str, value: str) -> str:
    """"#RRGGBB" or "#rrggbb" -> "#rrggbb"; anything else stops the service naming `variable`."""
    text = value.strip()
    if not _HEX_COLOR.fullmatch(text):
        raise BrandConfigError(f"{variable} must be a colour written as #rrggbb (six hexadecimal digits), got {value!r}")
    return text.lower()


def _channels(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def relative_luminance(color: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour "#rrggbb": 0 for black, 1 for white."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def require_white_text_contrast(variable: str, color: str) -> None:
    """Stops the service when white text on `color` falls short of WCAG AA."""
    ratio = contrast_ratio(WHITE, color)
    if ratio < MINIMUM_TEXT_CONTRAST:
        # Rounded down: a ratio just short of 4.5 must not read as "4.50:1" in the refusal.
        shown = math.floor(ratio * 100) / 100
        raise BrandConfigError(
            f"{variable} {color}: white text on it has a contrast ratio of {shown:.2f}:1, below the "
            f"{MINIMUM_TEXT_CONTRAST}:1 WCAG AA asks of text; choose a darker colour"
        )


def darker(color: str, shade: float = ACCENT_SHADE) -> str:
    """The colour with each channel scaled by `shade` (0..1), rounded to the nearest step."""
    return "#" + "".join(f"{round(channel * shade):02x}" for channel in _channels(color))


def sniff_image_type(content: bytes) -> str | None:
    """SVG, PNG or JPEG by the file's first bytes (its name may say anything)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    # An XML declaration, a comment or a doctype may come first; the root element soon after.
    if re.search(rb"<svg[\s>]", content[:4096]):
        return SVG
    return None


def read_logo(variable: str, path: str, accepted: Collection[str]) -> Logo:
    """The file at `path`, which must be one of the `accepted` image types."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise BrandConfigError(f"{variable}: cannot read {path}: {exc.strerror or exc}") from exc
    media_type = sniff_image_type(content)
    if media_type not in accepted:
        wanted = " or ".join(name for kind, name in _TYPE_NAMES.items() if kind in accepted)
        raise BrandConfigError(f"{variable}: {path} is not an image this service can use ({wanted})")
    return Logo(content=content, media_type=media_type)


def _setting(settings: Mapping[str, Any], name: str) -> str:
    value = settings.get(name)
    return "" if value is None else str(value).strip()


def brand_from_settings(settings: Mapping[str, Any], *, logo_types: Collection[str]) -> Brand:
    """BRAND_NAME, BRAND_LOGO_PATH, BRAND_PRIMARY_COLOR and BRAND_ACCENT_COLOR, checked; each
    left empty takes the portal's own (no name, no logo, its red and the accent derived from
    the primary colour)."""
    primary_setting = _setting(settings, "BRAND_PRIMARY_COLOR")
    primary = parse_color("BRAND_PRIMARY_COLOR", primary_setting) if primary_setting else DEFAULT_PRIMARY_COLOR
    require_white_text_contrast("BRAND_PRIMARY_COLOR", primary)
    accent_setting = _setting(settings, "BRAND_ACCENT_COLOR")
    if accent_setting:
        # The accent is the buttons' hover under white text and the links' colour on white.
        accent = parse_color("BRAND_ACCENT_COLOR", accent_setting)
        require_white_text_contrast("BRAND_ACCENT_COLOR", accent)
    else:
        accent = darker(primary)
    logo_path = _setting(settings, "BRAND_LOGO_PATH")
    return Brand(
        name=_setting(settings, "BRAND_NAME") or None,
        primary_color=primary,
        accent_color=accent,
        logo=read_logo("BRAND_LOGO_PATH", logo_path, logo_types) if logo_path else None,
    )
