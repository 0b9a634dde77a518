"""Banxico's FIX (SF43718) read from its two SIE forms: the CSV download and the API's JSON."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from billing_service.domain.banxico import (
    BANXICO_FILE_UNREADABLE,
    BANXICO_NO_RATES,
    BANXICO_ROW_INVALID,
    BANXICO_SERIES_UNKNOWN,
    BanxicoRefused,
    read_fix,
)

TITLE = ("Tipo de cambio pesos por dólar E.U.A. para solventar obligaciones denominadas en moneda extranjera, "
         "Fecha de determinación (FIX)")


def sie_csv(*rows: str, series: str = "SF43718", newline: str = "\n") -> str:
    head = ["Banco de México", "", "Serie,SF43718", f'Título,"{TITLE}"',
            "Fecha de consulta,07/12/2026 06:00:00", "", f"Fecha,{series}"]
    return newline.join([*head, *rows]) + newline


def sie_json(*datos: tuple[str, str], series: str = "SF43718") -> bytes:
    return json.dumps({"bmx": {"series": [{
        "idSerie": series, "titulo": TITLE, "datos": [{"fecha": f, "dato": d} for f, d in datos]}]}}).encode()


def refused(raw: bytes, *, csv_form: bool) -> BanxicoRefused:
    with pytest.raises(BanxicoRefused) as caught:
        read_fix(raw, csv_form=csv_form)
    return caught.value


def test_the_csv_download_reads_day_by_day_skipping_days_without_a_determination():
    text = sie_csv("01/12/2026,17.1000", "02/12/2026,N/E", "03/12/2026,17.1234", "")

    fix = read_fix(text.encode("utf-8"), csv_form=True)

    assert fix.series == "SF43718"
    assert fix.rates == [(date(2026, 12, 1), Decimal("17.1000")), (date(2026, 12, 3), Decimal("17.1234"))]
    assert (fix.first, fix.last) == (date(2026, 12, 1), date(2026, 12, 3))


def test_the_csv_reads_with_a_byte_order_mark_crlf_quotes_and_latin1_titles():
    rows = ('"04/12/2026","17.2000"', '"05/12/2026","n/e"', "07/12/2026, 17.3 ")
    expected = [(date(2026, 12, 4), Decimal("17.2000")), (date(2026, 12, 7), Decimal("17.3"))]

    with_bom = b"\xef\xbb\xbf" + sie_csv(*rows, newline="\r\n").encode("utf-8")
    latin1 = sie_csv(*rows, newline="\r\n").encode("latin-1")

    assert read_fix(with_bom, csv_form=True).rates == expected
    assert b"T\xedtulo" in latin1  # not UTF-8: Latin-1's "í"
    assert read_fix(latin1, csv_form=True).rates == expected


def test_the_api_json_reads_skipping_days_without_a_determination():
    raw = sie_json(("01/12/2026", "17.1000"), ("02/12/2026", "N/E"), ("03/12/2026", "17.1234"))

    fix = read_fix(raw, csv_form=False)

    assert fix.rates == [(date(2026, 12, 1), Decimal("17.1000")), (date(2026, 12, 3), Decimal("17.1234"))]


def test_the_api_json_reads_with_a_byte_order_mark_and_latin1():
    document = json.dumps({"bmx": {"series": [{"idSerie": "SF43718", "titulo": TITLE,
                                               "datos": [{"fecha": "01/12/2026", "dato": "17.5"}]}]}},
                          ensure_ascii=False)

    for raw in (b"\xef\xbb\xbf" + document.encode("utf-8"), document.encode("latin-1")):
        assert read_fix(raw, csv_form=False).rates == [(date(2026, 12, 1), Decimal("17.5"))]


@pytest.mark.parametrize("csv_form, raw", [
    (True, sie_csv("01/12/2026,17.1", series="SF60653").encode()),
    (True, sie_csv("01/12/2026,17.1,17.2", series="SF43718,SF60653").encode()),
    (False, sie_json(("01/12/2026", "17.1"), series="SF60653")),
])
def test_another_series_is_refused_naming_it(csv_form, raw):
    refusal = refused(raw, csv_form=csv_form)

    assert refusal.code == BANXICO_SERIES_UNKNOWN
    assert "SF60653" in refusal.detail
    assert "SF60653" in next(iter(refusal.errors.values()))[0]


def test_two_series_in_the_json_are_refused():
    document = json.loads(sie_json(("01/12/2026", "17.1")))
    document["bmx"]["series"].append({"idSerie": "SF43718", "datos": []})

    assert refused(json.dumps(document).encode(), csv_form=False).code == BANXICO_SERIES_UNKNOWN


@pytest.mark.parametrize("row, message", [
    ("31/02/2026,17.1", "'31/02/2026' is not a day"),
    ("2026-12-01,17.1", "'2026-12-01' is not a day"),
    ("1/12/2026,17.1", "'1/12/2026' is not a day"),
    ("01/12/2026,17.12345", "'17.12345' is not a positive rate with at most four places"),
    ("01/12/2026,0.0000", "'0.0000' is not a positive rate"),
    ("01/12/2026,-17.1", "'-17.1' is not a positive rate"),
    ("01/12/2026,17,1", "3 fields, not 2"),
    ("01/12/2026,", "'' is not a positive rate"),
    ("01/12/2026,1e2", "'1e2' is not a positive rate"),
])
def test_a_bad_csv_row_is_refused_naming_its_line(row, message):
    # The title block is seven lines and the header the seventh: the second row is line 9.
    raw = sie_csv("30/11/2026,17.0000", row).encode()

    refusal = refused(raw, csv_form=True)

    assert refusal.code == BANXICO_ROW_INVALID
    assert list(refusal.errors) == ["lines.9"]
    assert message in refusal.errors["lines.9"][0]
    assert "line 9" in refusal.detail


def test_every_bad_csv_row_is_named_and_a_repeated_day_too():
    raw = sie_csv("01/12/2026,17.1", "01/12/2026,17.2", "xx,17.3", "03/12/2026,abc").encode()

    refusal = refused(raw, csv_form=True)

    assert sorted(refusal.errors) == ["lines.10", "lines.11", "lines.9"]
    assert "appears twice (also at line 8)" in refusal.errors["lines.9"][0]


@pytest.mark.parametrize("datos, where, message", [
    ([("01/12/2026", "17.1"), ("32/12/2026", "17.2")], "bmx.series.0.datos.1.", "not a day"),
    ([("01/12/2026", "17.12345")], "bmx.series.0.datos.0", "at most four places"),
    ([("01/12/2026", "-1")], "bmx.series.0.datos.0", "not a positive rate"),
])
def test_a_bad_json_row_is_refused_naming_its_index(datos, where, message):
    refusal = refused(sie_json(*datos), csv_form=False)

    assert refusal.code == BANXICO_ROW_INVALID
    assert [key for key in refusal.errors] == [where.rstrip(".")]
    assert message in refusal.errors[where.rstrip(".")][0]


def test_a_json_row_that_is_not_text_is_refused_naming_its_index():
    document = json.loads(sie_json(("01/12/2026", "17.1")))
    document["bmx"]["series"][0]["datos"].append({"fecha": "02/12/2026", "dato": 17.2})

    refusal = refused(json.dumps(document).encode(), csv_form=False)

    assert (refusal.code, list(refusal.errors)) == (BANXICO_ROW_INVALID, ["bmx.series.0.datos.1"])


@pytest.mark.parametrize("csv_form, raw", [
    (True, b""),
    (True, b"\r\n \r\n"),
    (True, sie_csv().encode()),
    (True, sie_csv("01/12/2026,N/E", "02/12/2026,N/E").encode()),
    (False, sie_json()),
    (False, sie_json(("01/12/2026", "N/E"))),
])
def test_a_file_without_any_determined_rate_is_refused(csv_form, raw):
    assert refused(raw, csv_form=csv_form).code == BANXICO_NO_RATES


@pytest.mark.parametrize("csv_form, raw", [
    (True, b"Fecha,Tipo de cambio\n01/12/2026,17.1\n"),  # no series column: a table, not an SIE download
    (True, b"01/12/2026,17.1\n"),
    (True, sie_csv("01/12/2026,17.1").encode() + b"\x00"),
    (False, b"{not json"),
    (False, b""),
    (False, json.dumps({"rates": [{"date": "2026-12-01", "rate": "17.1"}]}).encode()),
    (False, json.dumps({"bmx": {"series": {"idSerie": "SF43718"}}}).encode()),
    (False, json.dumps([1, 2]).encode()),
    (False, json.dumps({"bmx": ["SF43718"]}).encode()),
])
def test_what_is_not_an_sie_file_is_refused(csv_form, raw):
    assert refused(raw, csv_form=csv_form).code == BANXICO_FILE_UNREADABLE
