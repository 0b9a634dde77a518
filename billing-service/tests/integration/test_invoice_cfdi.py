"""Invoices imported with their stamped CFDI 4.0: checked before anything is written, kept byte for
byte with the stamp's UUID as the folio fiscal, and downloaded by the invoice's customer as XML
and as its printed PDF."""
from __future__ import annotations

import io
import uuid

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from billing_service.adapters.cfdi import read_cfdi
from billing_service.adapters.orm import Invoice, InvoiceCfdi
from billing_service.config import DEFAULT_VENDOR_RFC
from portal_shared.db import transaction


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def stamp_uuid(xml: bytes) -> str:
    return read_cfdi(xml).stamp.uuid


def written(session_factory, numbers) -> tuple[int, int]:
    """How many of these invoices, and CFDIs of them, billing holds."""
    with transaction(session_factory) as session:
        invoices = session.scalar(sa.select(sa.func.count()).select_from(Invoice)
                                  .where(Invoice.invoice_number.in_(numbers)))
        cfdis = session.scalar(sa.select(sa.func.count()).select_from(InvoiceCfdi)
                               .join(Invoice, InvoiceCfdi.invoice_id == Invoice.id)
                               .where(Invoice.invoice_number.in_(numbers)))
    return invoices, cfdis


def post(client, operator, rows):
    return client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator)


@pytest.fixture
def stamped_row(cfdi, row, cfdi_customer):
    """An import row of the CFDI customer's first account carrying its stamped CFDI (as text)."""

    def make(total: str = "2900.00", **cfdi_changes) -> dict:
        xml = cfdi(cfdi_customer["rfc"], total, **cfdi_changes)
        return row(cfdi_customer["account_numbers"][0], amount=total, cfdi_xml=xml.decode("utf-8"))

    return make


def test_an_invoice_imported_with_its_cfdi_shows_its_folio_and_downloads_as_xml_and_pdf(
        client, operator, bearer, cfdi_customer, stamped_row, outbox_messages):
    invoice_row = stamped_row("2900.00")
    xml = invoice_row["cfdi_xml"].encode("utf-8")
    folio = stamp_uuid(xml)

    response = post(client, operator, [invoice_row])

    assert response.status_code == 200, response.json
    assert response.json == {"imported": 1, "unchanged": 0}
    headers = bearer("billing", customer_id=cfdi_customer["customer_id"])
    listed = client.get("/api/v1/invoices", headers=headers).json["items"]
    invoice = next(item for item in listed if item["invoice_number"] == invoice_row["invoice_number"])
    assert invoice["fiscal_folio"] == folio.lower() and invoice["has_cfdi"] is True
    assert client.get(f"/api/v1/invoices/{invoice['id']}", headers=headers).json["has_cfdi"] is True
    issued = outbox_messages("billing.invoice.issued.v1", invoice_number=invoice_row["invoice_number"])
    assert [message["data"]["fiscal_folio"] for message in issued] == [folio.lower()]

    as_xml = client.get(f"/api/v1/invoices/{invoice['id']}/cfdi.xml", headers=headers)
    assert as_xml.status_code == 200
    assert as_xml.mimetype == "application/xml"
    assert as_xml.data == xml
    assert as_xml.headers["Content-Disposition"] == f'attachment; filename="{folio}.xml"'

    as_pdf = client.get(f"/api/v1/invoices/{invoice['id']}/cfdi.pdf", headers=headers)
    assert as_pdf.status_code == 200
    assert as_pdf.mimetype == "application/pdf"
    assert as_pdf.headers["Content-Disposition"] == f'attachment; filename="{folio}.pdf"'
    text = pdf_text(as_pdf.data)
    document = read_cfdi(xml)
    for expected in (folio, DEFAULT_VENDOR_RFC, cfdi_customer["rfc"], "PORTAL DEMO MEXICO", "COMERCIALIZADORA EJEMPLO",
                     document.certificate_number, document.stamp.sat_certificate_number, "2,500.00", "400.00",
                     "2,900.00", "MXN", "PPD", "Renta mensual de multifuncional", document.seal[:60],
                     document.stamp.seal_sat[:60], f"{document.stamp.stamped_at:%Y-%m-%d %H:%M:%S}"):
        assert expected in text, expected
    # The same CFDI prints the same bytes.
    assert client.get(f"/api/v1/invoices/{invoice['id']}/cfdi.pdf", headers=headers).data == as_pdf.data


def test_the_same_invoice_with_the_same_cfdi_again_is_unchanged(client, operator, stamped_row, session_factory):
    invoice_row = stamped_row()
    assert post(client, operator, [invoice_row]).json == {"imported": 1, "unchanged": 0}

    again = post(client, operator, [invoice_row])
    with_folio = post(client, operator, [{**invoice_row, "fiscal_folio": stamp_uuid(invoice_row["cfdi_xml"].encode())}])

    assert (again.status_code, again.json) == (200, {"imported": 0, "unchanged": 1})
    assert (with_folio.status_code, with_folio.json) == (200, {"imported": 0, "unchanged": 1})
    assert written(session_factory, [invoice_row["invoice_number"]]) == (1, 1)


def test_another_cfdi_for_an_invoice_that_has_one_is_refused(client, operator, stamped_row, cfdi, cfdi_customer,
                                                             session_factory):
    invoice_row = stamped_row()
    post(client, operator, [invoice_row])
    other = cfdi(cfdi_customer["rfc"], "2900.00").decode()

    response = post(client, operator, [{**invoice_row, "cfdi_xml": other}])

    assert response.status_code == 409
    assert response.json["code"] == "billing.invoice_figures_differ"
    assert "invoices.0.cfdi_xml" in response.json["errors"]
    assert "another CFDI" in response.json["errors"]["invoices.0.cfdi_xml"][0]


def test_a_cfdi_for_an_invoice_imported_without_one_is_refused(client, operator, stamped_row):
    invoice_row = stamped_row()
    post(client, operator, [{key: value for key, value in invoice_row.items() if key != "cfdi_xml"}])

    response = post(client, operator, [invoice_row])

    assert response.status_code == 409
    assert "no CFDI" in response.json["errors"]["invoices.0.cfdi_xml"][0]


def refused(response, index: int, field: str = "cfdi_xml") -> list[str]:
    """The codes the refusal gives the row's field; the row's messages name its invoice."""
    assert response.status_code == 422, response.json
    assert response.json["code"] == "billing.invoice_rows_refused"
    return response.json["field_codes"][f"invoices.{index}.{field}"]


@pytest.mark.parametrize("mismatch, code", [
    ("total", "billing.cfdi_total_mismatch"),
    ("currency", "billing.cfdi_currency_mismatch"),
    ("receiver", "billing.cfdi_receiver_mismatch"),
    ("issuer", "billing.cfdi_issuer_mismatch"),
    ("tampered", "billing.cfdi_seal_invalid"),
    ("unstamped", "billing.cfdi_unstamped"),
    ("garbage", "billing.cfdi_invalid"),
    ("not valid", "billing.cfdi_invalid"),
])
def test_a_cfdi_breaking_a_rule_refuses_the_whole_import_naming_its_row(
        client, operator, stamped_row, row, cfdi, cfdi_customer, session_factory, mismatch, code):
    good = stamped_row()
    bad = stamped_row()
    if mismatch == "total":
        bad["amount"] = "2900.01"
    elif mismatch == "currency":
        bad["currency"] = "USD"
    elif mismatch == "receiver":
        bad["cfdi_xml"] = cfdi("EKU9003173C9", "2900.00").decode()
    elif mismatch == "issuer":
        bad["cfdi_xml"] = cfdi(cfdi_customer["rfc"], "2900.00", issuer_rfc="EKU9003173C9").decode()
    elif mismatch == "tampered":
        bad["cfdi_xml"] = bad["cfdi_xml"].replace("diciembre 2026", "enero 2027")
    elif mismatch == "unstamped":
        bad["cfdi_xml"] = cfdi(cfdi_customer["rfc"], "2900.00", stamped=False).decode()
    elif mismatch == "garbage":
        bad["cfdi_xml"] = "<cfdi:Comprobante>no es un CFDI"
    else:
        bad["cfdi_xml"] = bad["cfdi_xml"].replace('Exportacion="01"', 'Exportacion="99"')
    plain = row(cfdi_customer["account_numbers"][1])

    response = post(client, operator, [good, plain, bad])

    assert refused(response, 2) == [code]
    assert [path for path in response.json["errors"]] == ["invoices.2.cfdi_xml"]
    assert all(bad["invoice_number"] in message for message in response.json["errors"]["invoices.2.cfdi_xml"])
    numbers = [good["invoice_number"], plain["invoice_number"], bad["invoice_number"]]
    assert written(session_factory, numbers) == (0, 0)


def test_a_fiscal_folio_that_is_not_the_stamps_uuid_is_refused(client, operator, stamped_row, session_factory):
    invoice_row = {**stamped_row(), "fiscal_folio": str(uuid.uuid4())}

    response = post(client, operator, [invoice_row])

    assert refused(response, 0, "fiscal_folio") == ["billing.cfdi_folio_mismatch"]
    assert written(session_factory, [invoice_row["invoice_number"]]) == (0, 0)


def test_one_cfdi_is_one_invoices_only(client, operator, stamped_row, session_factory):
    first = stamped_row()
    post(client, operator, [first])
    twice = stamped_row()
    copies = [{**stamped_row(), "cfdi_xml": twice["cfdi_xml"]}, {**stamped_row(), "cfdi_xml": first["cfdi_xml"]}]

    response = post(client, operator, [twice, *copies])

    assert refused(response, 1) == ["billing.cfdi_folio_in_use"]
    assert refused(response, 2) == ["billing.cfdi_folio_in_use"]
    assert written(session_factory, [twice["invoice_number"], *(c["invoice_number"] for c in copies)]) == (0, 0)


def test_the_cfdi_downloads_are_the_invoices_customers_and_say_when_there_is_none(
        client, operator, bearer, stamped_row, cfdi_customer, new_customer, row, import_invoices):
    post(client, operator, [stamped_row()])
    mine = client.get("/api/v1/invoices", headers=bearer("admin", customer_id=cfdi_customer["customer_id"])
                      ).json["items"][0]
    stranger = new_customer()
    plain = import_invoices([row(cfdi_customer["account_numbers"][1])], cfdi_customer["customer_id"])[0]

    for kind in ("xml", "pdf"):
        theirs = client.get(f"/api/v1/invoices/{mine['id']}/cfdi.{kind}",
                            headers=bearer("admin", customer_id=stranger["customer_id"]))
        assert (theirs.status_code, theirs.json["code"]) == (404, "billing.invoice_not_found")
        staff = client.get(f"/api/v1/invoices/{mine['id']}/cfdi.{kind}?customer_id={cfdi_customer['customer_id']}",
                           headers=bearer("agent"))
        assert staff.status_code == 200
        none = client.get(f"/api/v1/invoices/{plain['id']}/cfdi.{kind}",
                          headers=bearer("billing", customer_id=cfdi_customer["customer_id"]))
        assert (none.status_code, none.json["code"]) == (404, "billing.cfdi_not_found")
    assert plain["has_cfdi"] is False


def test_a_months_cfdis_download_as_one_zip_of_xml_and_pdf(
        client, operator, bearer, stamped_row, cfdi_customer, new_customer, row, import_invoices):
    import zipfile

    first, second = stamped_row("1160.00"), stamped_row("2320.00")
    post(client, operator, [first, second])
    # An invoice without its CFDI, and another customer's, are not in it.
    import_invoices([row(cfdi_customer["account_numbers"][1])], cfdi_customer["customer_id"])
    month = first["issue_date"][:7]
    headers = bearer("billing", customer_id=cfdi_customer["customer_id"])

    answer = client.get(f"/api/v1/invoices/cfdi.zip?month={month}", headers=headers)

    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="CFDI-{month}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    expected = {}
    for invoice_row in (first, second):
        xml = invoice_row["cfdi_xml"].encode("utf-8")
        stem = f"{invoice_row['invoice_number']}_{stamp_uuid(xml).upper()}"
        expected[f"{stem}.xml"] = xml
        expected[f"{stem}.pdf"] = None
    assert sorted(archive.namelist()) == sorted(expected)
    for name, xml in expected.items():
        if xml is not None:
            assert archive.read(name) == xml
        else:
            assert stamp_uuid(expected[name[:-4] + ".xml"]).upper() in pdf_text(archive.read(name))
    assert client.get(f"/api/v1/invoices/cfdi.zip?month={month}", headers=headers).data == answer.data

    stranger = bearer("billing", customer_id=new_customer()["customer_id"])
    none = client.get(f"/api/v1/invoices/cfdi.zip?month={month}", headers=stranger)
    assert (none.status_code, none.json["code"]) == (404, "billing.no_cfdis_in_month")
    for bad in ("", "?month=2026-13", "?month=diciembre"):
        refused = client.get(f"/api/v1/invoices/cfdi.zip{bad}", headers=headers)
        assert refused.status_code == 422 and "month" in refused.json["errors"], bad
