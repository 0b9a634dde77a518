"""A deployment's brand: colours read as #rrggbb, WCAG contrast for white text on them, logos
recognised by their bytes, and every refusal naming the variable to fix."""
from __future__ import annotations

import pytest

from portal_shared.brand import (
    DEFAULT_PRIMARY_COLOR,
    JPEG,
    PNG,
    SVG,
    BrandConfigError,
    Logo,
    brand_from_settings,
    contrast_ratio,
    darker,
    parse_color,
    read_logo,
    relative_luminance,
    sniff_image_type,
)

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
SVG_BYTES = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>'


@pytest.mark.parametrize("value, expected", [("#1A2b3C", "#1a2b3c"), (" #004488 ", "#004488")])
def test_a_colour_is_read_in_either_case_and_kept_lowercase(value, expected):
    assert parse_color("BRAND_PRIMARY_COLOR", value) == expected


@pytest.mark.parametrize("value", ["004488", "#048", "#00448", "#0044888", "#00448g", "blue", "rgb(0,0,0)", ""])
def test_anything_but_six_hex_digits_is_refused_naming_the_variable(value):
    with pytest.raises(BrandConfigError) as refused:
        parse_color("BRAND_ACCENT_COLOR", value)
    assert "BRAND_ACCENT_COLOR" in str(refused.value) and "#rrggbb" in str(refused.value)


def test_luminance_and_contrast_match_wcag():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#000000", "#ffffff") == contrast_ratio("#ffffff", "#000000")
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
    # Published figures: #767676 is the lightest grey with 4.5:1 on white, #777777 just misses it.
    assert contrast_ratio("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#777777") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", DEFAULT_PRIMARY_COLOR) == pytest.approx(5.89, abs=0.01)


def test_the_default_brand_is_the_portals_own_red_with_its_darker_accent():
    brand = brand_from_settings({}, logo_types={SVG, PNG})

    assert (brand.name, brand.primary_color, brand.accent_color, brand.logo) == (None, "#cc0000", "#a30000", None)
    assert brand_from_settings({"BRAND_NAME": " ", "BRAND_PRIMARY_COLOR": "", "BRAND_LOGO_PATH": ""},
                               logo_types={PNG}) == brand


def test_a_configured_brand_is_read_and_its_accent_derived_from_the_primary_colour(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(SVG_BYTES)

    brand = brand_from_settings({"BRAND_NAME": " Copiadoras del Valle ", "BRAND_PRIMARY_COLOR": "#0B5394",
                                 "BRAND_LOGO_PATH": str(logo)}, logo_types={SVG, PNG})

    assert brand.name == "Copiadoras del Valle"
    assert (brand.primary_color, brand.accent_color) == ("#0b5394", darker("#0b5394"))
    assert brand.logo is not None and (brand.logo.content, brand.logo.media_type) == (SVG_BYTES, SVG)
    assert contrast_ratio("#ffffff", brand.accent_color) > contrast_ratio("#ffffff", brand.primary_color)


def test_a_given_accent_is_kept():
    brand = brand_from_settings({"BRAND_PRIMARY_COLOR": "#0b5394", "BRAND_ACCENT_COLOR": "#06294a"}, logo_types={PNG})
    assert brand.accent_color == "#06294a"


@pytest.mark.parametrize("variable", ["BRAND_PRIMARY_COLOR", "BRAND_ACCENT_COLOR"])
def test_a_colour_white_text_cannot_be_read_on_stops_the_service_with_its_ratio(variable):
    with pytest.raises(BrandConfigError) as refused:
        brand_from_settings({variable: "#777777"}, logo_types={PNG})

    message = str(refused.value)
    assert message.startswith(f"{variable} #777777")
    # 4.478...: rounded down, never shown as if it reached 4.5.
    assert "4.47:1" in message and "4.5:1" in message


def test_a_bad_colour_stops_the_service_naming_the_variable():
    with pytest.raises(BrandConfigError, match="BRAND_PRIMARY_COLOR"):
        brand_from_settings({"BRAND_PRIMARY_COLOR": "red"}, logo_types={PNG})


def test_darker_scales_each_channel():
    assert darker("#cc0000") == "#a30000"
    assert darker("#204060", 0.5) == "#102030"
    assert darker("#000000") == "#000000"


@pytest.mark.parametrize("content, expected", [
    (PNG_BYTES, PNG),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
    (SVG_BYTES, SVG),
    (b"<!-- made by hand -->\n<svg>\n</svg>", SVG),
    (b"GIF89a", None),
    (b"<svgx/>", None),
    (b"", None),
])
def test_images_are_known_by_their_first_bytes(content, expected):
    assert sniff_image_type(content) == expected


def test_a_logo_of_a_type_the_service_cannot_use_is_refused(tmp_path):
    path = tmp_path / "logo.png"  # named .png, holding an SVG
    path.write_bytes(SVG_BYTES)

    assert read_logo("BRAND_LOGO_PATH", str(path), {SVG, PNG}).media_type == SVG
    with pytest.raises(BrandConfigError) as refused:
        read_logo("BRAND_LOGO_PATH", str(path), {PNG, JPEG})
    assert str(refused.value) == f"BRAND_LOGO_PATH: {path} is not an image this service can use (PNG or JPEG)"


def test_a_missing_logo_is_refused_naming_the_variable(tmp_path):
    with pytest.raises(BrandConfigError, match=r"^BRAND_LOGO_PATH: cannot read .*missing\.png"):
        brand_from_settings({"BRAND_LOGO_PATH": str(tmp_path / "missing.png")}, logo_types={PNG})


def test_the_logo_version_follows_its_content():
    version = Logo(content=PNG_BYTES, media_type=PNG).version
    assert version == Logo(content=bytes(PNG_BYTES), media_type=PNG).version
    assert version != Logo(content=PNG_BYTES + b"\x00", media_type=PNG).version
