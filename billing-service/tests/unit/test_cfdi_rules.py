"""What billing checks in an imported CFDI 4.0: read with satcfdi (adapters.cfdi), compared with
the invoice row (domain.cfdi), one code per broken rule."""
from __future__ import annotations

from decimal import Decimal

import pytest

from billing_service.adapters.cfdi import UnreadableCfdi, read_cfdi
from billing_service.config import DEFAULT_VENDOR_RFC
from billing_service.domain.cfdi import (
    CFDI_CURRENCY_MISMATCH,
    CFDI_FOLIO_MISMATCH,
    CFDI_ISSUER_MISMATCH,
    CFDI_NOT_INCOME,
    CFDI_RECEIVER_MISMATCH,
    CFDI_SEAL_INVALID,
    CFDI_TOTAL_MISMATCH,
    CFDI_UNSTAMPED,
    ExpectedInvoice,
    cfdi_problems,
    is_company_rfc,
)

RECEIVER = "URE180429TM6"


def expected(**changes) -> ExpectedInvoice:
    values = {"invoice_number": "F-1001", "amount": Decimal("2900.00"), "currency": "MXN",
              "customer_rfc": RECEIVER, "vendor_rfc": DEFAULT_VENDOR_RFC, "fiscal_folio": None}
    values.update(changes)
    return ExpectedInvoice(**values)


def codes(xml: bytes, **changes) -> list[str]:
    return [problem.code for problem in cfdi_problems(read_cfdi(xml), expected(**changes))]


def test_the_default_vendor_rfc_is_a_company_rfc():
    assert is_company_rfc(DEFAULT_VENDOR_RFC)
    assert not is_company_rfc("XIQB891116QE4")  # a person's: 4 letters
    assert not is_company_rfc("PDM011301AB1")  # no 13th month
    assert not is_company_rfc("pdm010101ab1")


def test_a_stamped_cfdi_of_the_vendor_for_the_invoice_passes_every_rule(cfdi):
    document = read_cfdi(cfdi(RECEIVER, "2900.00"))

    assert cfdi_problems(document, expected()) == []
    assert (document.voucher_type, document.issuer_rfc, document.receiver_rfc) == ("I", DEFAULT_VENDOR_RFC, RECEIVER)
    assert (document.total, document.subtotal, document.currency) == (Decimal("2900.00"), Decimal("2500.00"), "MXN")
    assert document.seal_verifies and document.stamp is not None and document.stamp.version == "1.1"
    assert document.payment_method.startswith("PPD") and document.payment_form.startswith("99")
    assert [tax.amount for tax in document.taxes] == [Decimal("400.00")]


def test_each_figure_that_differs_from_the_row_has_its_code(cfdi):
    xml = cfdi(RECEIVER, "2900.00")

    assert codes(xml, amount=Decimal("2900.01")) == [CFDI_TOTAL_MISMATCH]
    assert codes(xml, currency="USD") == [CFDI_CURRENCY_MISMATCH]
    assert codes(xml, customer_rfc="EKU9003173C9") == [CFDI_RECEIVER_MISMATCH]
    assert codes(xml, vendor_rfc="EKU9003173C9") == [CFDI_ISSUER_MISMATCH]
    assert codes(xml, fiscal_folio="00000000-0000-4000-8000-000000000000") == [CFDI_FOLIO_MISMATCH]


def test_the_fiscal_folio_given_in_the_row_may_be_the_stamps_uuid_in_any_case(cfdi):
    xml = cfdi(RECEIVER, "2900.00")
    uuid = read_cfdi(xml).stamp.uuid

    assert codes(xml, fiscal_folio=uuid.lower()) == []


def test_a_cfdi_changed_after_sealing_does_not_verify(cfdi):
    xml = cfdi(RECEIVER, "2900.00")
    tampered = xml.replace("diciembre 2026".encode(), "enero 2027".encode())
    assert tampered != xml

    assert codes(tampered) == [CFDI_SEAL_INVALID]


def test_a_cfdi_sealed_by_another_taxpayer_is_not_the_vendors(cfdi):
    assert codes(cfdi(RECEIVER, "2900.00", issuer_rfc="EKU9003173C9")) == [CFDI_ISSUER_MISMATCH]


def test_a_sealed_cfdi_without_its_stamp_is_unstamped(cfdi):
    assert codes(cfdi(RECEIVER, "2900.00", stamped=False)) == [CFDI_UNSTAMPED]


def test_a_stamp_made_for_another_seal_does_not_count(cfdi):
    first, second = cfdi(RECEIVER, "2900.00"), cfdi(RECEIVER, "2900.00", folio="2")
    start = b"<tfd:TimbreFiscalDigital"
    stamp_of_first = first[first.index(start):first.index(b"/>", first.index(start)) + 2]
    mixed = second[:second.index(start)] + stamp_of_first + second[second.index(b"/>", second.index(start)) + 2:]

    assert codes(mixed) == [CFDI_UNSTAMPED]


def test_only_an_income_voucher_is_an_invoice(cfdi):
    assert CFDI_NOT_INCOME in codes(cfdi(RECEIVER, "2900.00", tipo_de_comprobante="E"))


@pytest.mark.parametrize("xml, reason", [
    (b"garbage", "not well-formed"),
    (b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Version='4.0'>", "not well-formed"),
    (b"<Comprobante Version='4.0'/>", "not a CFDI 4.0"),
    (b"<?xml version='1.0'?><!DOCTYPE c [<!ENTITY e 'x'>]>"
     b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4' Version='4.0'/>", "DOCTYPE"),
])
def test_what_is_not_a_cfdi_is_unreadable(xml, reason):
    with pytest.raises(UnreadableCfdi, match=reason):
        read_cfdi(xml)


def test_a_cfdi_invalid_against_the_schema_is_unreadable(cfdi):
    xml = cfdi(RECEIVER, "2900.00").replace(b'Exportacion="01"', b'Exportacion="99"')

    with pytest.raises(UnreadableCfdi, match="schema"):
        read_cfdi(xml)
