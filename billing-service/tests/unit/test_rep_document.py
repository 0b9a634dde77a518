"""A payment's REP as adapters.rep builds it with satcfdi: a sealed CFDI 4.0 of type P with Pagos
2.0, valid against SAT's schemas, stamped by the PAC simulator, saying the domain's figures."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from lxml import etree
from satcfdi.cfdi import CFDI

from billing_service.adapters.rep import Taxpayer, payment_receipt_xml
from billing_service.config import Config
from billing_service.domain.rep import ConfirmedPayment, PaidInvoice, receipt_figures
from portal_shared.mexico import mxn_for

VENDOR_NAME = "PORTAL DEMO MEXICO"
RECEIVER = Taxpayer(rfc="URE180429TM6", name="COMERCIALIZADORA EJEMPLO", tax_regime="601", postal_code="86991")


def paid(amount: str, currency: str = "MXN", rate: str | None = None, *, balance: str, earlier: int = 0,
         **changes) -> PaidInvoice:
    value, exchange_rate = Decimal(amount), Decimal(rate) if rate else None
    return PaidInvoice(fiscal_uuid=str(uuid.uuid4()).upper(), currency=currency, amount=value,
                       amount_mxn=mxn_for(value, currency, exchange_rate), balance_before=Decimal(balance),
                       earlier_payments=earlier, exchange_rate=exchange_rate, **changes)


@pytest.fixture
def figures():
    invoices = (paid("1160.00", balance="3480.00", earlier=1, series="F", folio="1001"),
                paid("500.00", "USD", "17.2533", balance="1160.00"))
    return receipt_figures(ConfirmedPayment(
        payment_id=str(uuid.uuid4()), bank_reference="BC-Banamex 063197",
        confirmed_at=datetime(2026, 12, 7, 18, 30, 15, tzinfo=timezone.utc),
        total_mxn=sum(i.amount_mxn for i in invoices), invoices=invoices,
    ))


@pytest.fixture
def issuer() -> Taxpayer:
    return Taxpayer(rfc=Config().VENDOR_RFC, name=VENDOR_NAME, tax_regime="601", postal_code="06600")


@pytest.fixture
def sealed(figures, issuer, csd_for) -> bytes:
    return payment_receipt_xml(figures, issuer=issuer, receiver=RECEIVER, signer=csd_for(issuer.rfc, issuer.name),
                               issued_at=datetime.now(timezone.utc), series="P", folio="501")


def test_the_receipt_is_valid_sealed_and_stamped(sealed, pac_stamper, issuer):
    from pac_simulator import stamping

    document = stamping.read(sealed)  # SAT's CFDI 4.0 and Pagos 2.0 schemas, or a Refusal
    certificate = stamping.check_seal(document)  # Sello over the cadena original, by the issuer's CSD
    assert certificate.rfc == issuer.rfc
    stamped = stamping.stamp(document, pac_stamper, uuid=str(uuid.uuid4()).upper(), at=datetime.now(timezone.utc))

    cfdi = CFDI.from_string(stamped)
    cfdi.to_xml(validate=True)
    assert cfdi["TipoDeComprobante"] == "P" and cfdi["Moneda"] == "XXX"
    assert (cfdi["Serie"], cfdi["Folio"], cfdi["LugarExpedicion"]) == ("P", "501", "06600")
    assert (cfdi["Emisor"]["Rfc"], cfdi["Emisor"]["Nombre"]) == (issuer.rfc, VENDOR_NAME)
    assert (cfdi["Receptor"]["Rfc"], cfdi["Receptor"]["UsoCFDI"]) == (RECEIVER.rfc, "CP01")
    assert cfdi["Complemento"]["TimbreFiscalDigital"]["UUID"]


def test_the_receipt_says_the_domains_figures(sealed, figures):
    pagos = CFDI.from_string(sealed)["Complemento"]["Pagos"]
    assert pagos["Version"] == "2.0"
    assert pagos["Totales"]["MontoTotalPagos"] == figures.amount == Decimal("9786.65")
    assert pagos["Totales"]["TotalTrasladosBaseIVA16"] == figures.tax_base
    assert pagos["Totales"]["TotalTrasladosImpuestoIVA16"] == figures.tax
    (pago,) = pagos["Pago"]
    assert pago["FechaPago"] == datetime(2026, 12, 7, 12, 30, 15)
    assert (pago["FormaDePagoP"], pago["MonedaP"], pago["TipoCambioP"]) == ("03", "MXN", 1)
    assert (pago["Monto"], pago["NumOperacion"]) == (figures.amount, "BC-Banamex 063197")
    (traslado,) = pago["ImpuestosP"]["TrasladosP"].values()  # keyed by tax, type and rate
    assert (traslado["BaseP"], traslado["ImporteP"]) == (figures.tax_base, figures.tax)
    assert [
        (d["IdDocumento"], d.get("Serie"), d.get("Folio"), d["MonedaDR"], d["EquivalenciaDR"], d["NumParcialidad"],
         d["ImpSaldoAnt"], d["ImpPagado"], d["ImpSaldoInsoluto"], d["ObjetoImpDR"])
        for d in pago["DoctoRelacionado"]
    ] == [
        (f.fiscal_uuid, f.series, f.folio, f.currency, f.equivalence, f.installment, f.balance_before, f.paid,
         f.balance_after, f.tax_object)
        for f in figures.documents
    ]
    assert [d["NumParcialidad"] for d in pago["DoctoRelacionado"]] == [2, 1]
    for docto, figure in zip(pago["DoctoRelacionado"], figures.documents):
        (traslado,) = docto["ImpuestosDR"]["TrasladosDR"].values()
        assert (traslado["BaseDR"], traslado["ImporteDR"], traslado["ImpuestoDR"], traslado["TipoFactorDR"]) == (
            figure.tax_base, figure.tax, "002", "Tasa")
        assert traslado["TasaOCuotaDR"] == Decimal("0.160000")


def test_the_figures_are_written_as_computed_not_recomputed(sealed):
    # satcfdi would write Monto as the unrounded Σ ImpPagado / EquivalenciaDR; SAT reads it to the cent.
    pago = etree.fromstring(sealed).find(".//{http://www.sat.gob.mx/Pagos20}Pago")
    assert pago.get("Monto") == "9786.65"
    docto = pago.find("{http://www.sat.gob.mx/Pagos20}DoctoRelacionado[@MonedaDR='USD']")
    assert docto.get("EquivalenciaDR") == "0.0579599266"


def test_a_receipt_not_in_pesos_is_refused(figures, issuer, csd_for):
    from dataclasses import replace

    with pytest.raises(ValueError, match="MXN"):
        payment_receipt_xml(replace(figures, currency="USD"), issuer=issuer, receiver=RECEIVER,
                            signer=csd_for(issuer.rfc, issuer.name), issued_at=datetime.now(timezone.utc))
