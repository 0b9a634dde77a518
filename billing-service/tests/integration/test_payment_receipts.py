"""A confirmed payment's REP: prepared when billing applies payment.confirmed, sealed with the
vendor's CSD and stamped by the PAC simulator through the outbox's "stamp" channel, once per
payment whatever the PAC or the broker does; then downloaded by the payment's customer."""
from __future__ import annotations

import io
import threading
import time
import uuid
from decimal import Decimal
from functools import partial

import pytest
import requests
import sqlalchemy as sa
from pypdf import PdfReader
from satcfdi.cfdi import CFDI

from billing_service.adapters.orm import OUTBOX, PaymentReceipt
from billing_service.adapters.pac import HttpPac
from billing_service.adapters.rep import Taxpayer, payment_receipt_xml
from billing_service.config import Config
from billing_service.domain.rep import RECEIPT_INVOICE_WITHOUT_CFDI, REFUSED, STAMPED, WAITING
from billing_service.entrypoints.stamper import ReceiptSender
from billing_service.service_layer.receipts import CHANNEL_STAMP, ReceiptIssuer
from portal_shared.db import transaction
from portal_shared.messaging.relay import OutboxRelay
from portal_shared.testing.concurrency import serving

PAC_USER, PAC_PASSWORD = "portal-tests", "pac-tests-password"
VENDOR_NAME = "PORTAL DEMO MEXICO"


@pytest.fixture(scope="module")
def pac_url():
    from pac_simulator import create_app

    app = create_app({"DATABASE": ":memory:", "PAC_USER": PAC_USER, "PAC_PASSWORD": PAC_PASSWORD,
                      "STAMPING_KEY_PASSWORD": "tests"})
    with serving(app) as url:
        yield url


def pac_controls(pac_url: str, **controls) -> dict:
    answer = requests.post(f"{pac_url}/test/controls", json=controls, timeout=10) if controls else \
        requests.get(f"{pac_url}/test/controls", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def vendor_signer(csd_for):
    return csd_for(Config().VENDOR_RFC, VENDOR_NAME)


def make_issuer(pac_url: str, signer) -> ReceiptIssuer:
    return ReceiptIssuer(
        issuer=Taxpayer(rfc=Config().VENDOR_RFC, name=VENDOR_NAME, tax_regime="601", postal_code="06600"),
        seal=partial(payment_receipt_xml, signer=signer),
        pac=HttpPac(pac_url, PAC_USER, PAC_PASSWORD, timeout_seconds=20),
        series="REP",
    )


@pytest.fixture
def issuer(pac_url, vendor_signer) -> ReceiptIssuer:
    return make_issuer(pac_url, vendor_signer)


@pytest.fixture
def stamp_relay(engine, context):
    """stamp_relay(issuer): billing-stamper's relay on the test database (not yet running)."""

    def make(issuer: ReceiptIssuer, **options) -> OutboxRelay:
        return OutboxRelay(engine, OUTBOX, ReceiptSender(context, issuer), channel=CHANNEL_STAMP, **options)

    return make


def drain(relay: OutboxRelay) -> None:
    """Send the stamp channel until nothing is left (the PAC answering)."""
    while relay.run_once():
        pass
    assert relay.last_transport_error is None, relay.last_transport_error


@pytest.fixture
def invoices_with_cfdi(cfdi, cfdi_customer, row, import_invoices):
    """invoices_with_cfdi((currency, total), ...): the CFDI customer's invoices, imported with
    their stamped CFDIs (PPD); returns the customer's view of each, with its folio fiscal."""

    def make(*specs, **cfdi_changes) -> list[dict]:
        rows = []
        for currency, total in specs:
            xml = cfdi(cfdi_customer["rfc"], total, currency=currency, **cfdi_changes)
            rows.append(row(cfdi_customer["account_numbers"][0], amount=total, currency=currency,
                            cfdi_xml=xml.decode("utf-8")))
        return import_invoices(rows, cfdi_customer["customer_id"])

    return make


def receipt_of(session_factory, payment_id) -> PaymentReceipt | None:
    with transaction(session_factory) as session:
        receipt = session.get(PaymentReceipt, payment_id)
        if receipt is not None:
            session.expunge(receipt)
        return receipt


def stamp_rows(session_factory, payment_id) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(OUTBOX).where(
            OUTBOX.c.channel == CHANNEL_STAMP, OUTBOX.c.payload.contains(str(payment_id))))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pagos(xml: bytes):
    """(the CFDI, its Pagos 2.0 Pago node) as satcfdi reads them."""
    document = CFDI.from_string(xml)
    complement = document["Complemento"]["Pagos"]
    return document, complement["Pago"][0]


def test_two_invoices_one_in_usd_get_one_stamped_rep_that_the_customer_downloads(
        client, bearer, deliver, payment, invoices_with_cfdi, cfdi_customer, issuer, stamp_relay, session_factory):
    mxn, usd = invoices_with_cfdi(("MXN", "2900.00"), ("USD", "1160.00"))
    payment_id = uuid.uuid4()
    items = [{"invoice_id": mxn["id"], "currency": "MXN", "amount": "2900.00"},
             {"invoice_id": usd["id"], "currency": "USD", "amount": "580.00", "rate": "17.2500"}]
    confirmed = payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                        bank_reference="BBVA-MP 771204", items=items)

    assert deliver(confirmed)
    assert receipt_of(session_factory, payment_id).status == WAITING
    assert stamp_rows(session_factory, payment_id) == 1
    # Delivered again (a redelivery, or announced under a new event id): still one receipt.
    deliver(confirmed)
    deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                    bank_reference="BBVA-MP 771204", items=items))
    assert stamp_rows(session_factory, payment_id) == 1

    drain(stamp_relay(issuer))

    receipt = receipt_of(session_factory, payment_id)
    assert receipt.status == STAMPED, (receipt.refusal_code, receipt.refusal)
    headers = bearer("billing", customer_id=cfdi_customer["customer_id"])
    shown = client.get(f"/api/v1/payment-receipts/{payment_id}", headers=headers)
    assert shown.status_code == 200, shown.json
    assert shown.json["status"] == "stamped" and shown.json["fiscal_folio"] == str(receipt.fiscal_folio).upper()
    assert shown.json["total_mxn"] == "12905.00"
    download = client.get(f"/api/v1/payment-receipts/{payment_id}.xml", headers=headers)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="REP-{shown.json["fiscal_folio"]}.xml"'

    printed = client.get(f"/api/v1/payment-receipts/{payment_id}.pdf", headers=headers)
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = pdf_text(printed.data)
    for expected in (shown.json["fiscal_folio"], "BBVA-MP 771204", "12,905.00", mxn["fiscal_folio"].upper(),
                     usd["fiscal_folio"].upper(), "Pago / Payment receipt"):
        assert expected in text, expected
    assert "XXX" not in text  # a receipt's own zero totals are not printed

    document, pago = pagos(download.data)
    assert document["TipoDeComprobante"] == "P"
    assert document["Complemento"]["TimbreFiscalDigital"]["UUID"].upper() == shown.json["fiscal_folio"]
    assert document["Receptor"]["Rfc"] == cfdi_customer["rfc"]
    assert pago["Monto"] == Decimal("12905.00") and pago["MonedaP"] == "MXN"
    assert pago["NumOperacion"] == "BBVA-MP 771204"
    documents = {d["IdDocumento"].upper(): d for d in pago["DoctoRelacionado"]}
    assert set(documents) == {mxn["fiscal_folio"].upper(), usd["fiscal_folio"].upper()}
    paid_mxn, paid_usd = documents[mxn["fiscal_folio"].upper()], documents[usd["fiscal_folio"].upper()]
    assert (paid_mxn["ImpSaldoAnt"], paid_mxn["ImpPagado"], paid_mxn["ImpSaldoInsoluto"]) == (
        Decimal("2900.00"), Decimal("2900.00"), Decimal("0.00"))
    assert (paid_usd["MonedaDR"], paid_usd["ImpSaldoAnt"], paid_usd["ImpPagado"], paid_usd["ImpSaldoInsoluto"]) == (
        "USD", Decimal("1160.00"), Decimal("580.00"), Decimal("580.00"))
    assert paid_usd["NumParcialidad"] == 1
    assert (Decimal("580.00") / paid_usd["EquivalenciaDR"]).quantize(Decimal("0.01")) == Decimal("10005.00")

    # The USD invoice's second installment: NumParcialidad 2 from the balance the first left.
    second = uuid.uuid4()
    deliver(payment("confirmed", payment_id=second, customer_id=cfdi_customer["customer_id"],
                    items=[{"invoice_id": usd["id"], "currency": "USD", "amount": "580.00", "rate": "18.0000"}]))
    drain(stamp_relay(issuer))
    _, pago = pagos(client.get(f"/api/v1/payment-receipts/{second}.xml", headers=headers).data)
    (document,) = pago["DoctoRelacionado"]
    assert (document["NumParcialidad"], document["ImpSaldoAnt"], document["ImpSaldoInsoluto"]) == (
        2, Decimal("580.00"), Decimal("0.00"))
    assert pago["Monto"] == Decimal("10440.00")


def test_only_the_payments_customer_reads_its_receipt_and_only_once_stamped(
        client, bearer, deliver, payment, invoices_with_cfdi, cfdi_customer, new_customer, issuer, stamp_relay):
    (invoice,) = invoices_with_cfdi(("MXN", "1160.00"))
    payment_id = uuid.uuid4()
    deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                    items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "1160.00"}]))
    own = bearer("billing", customer_id=cfdi_customer["customer_id"])

    waiting = client.get(f"/api/v1/payment-receipts/{payment_id}.xml", headers=own)
    assert waiting.status_code == 409 and waiting.json["code"] == "billing.receipt_not_stamped"
    other = bearer("billing", customer_id=new_customer()["customer_id"])
    for suffix in ("", ".xml", ".pdf"):
        answer = client.get(f"/api/v1/payment-receipts/{payment_id}{suffix}", headers=other)
        assert answer.status_code == 404 and answer.json["code"] == "billing.receipt_not_found"
    unstamped = client.get("/api/v1/payment-receipts?unstamped=true&page_size=200", headers=bearer("agent")).json
    assert str(payment_id) in {item["payment_id"] for item in unstamped["items"]}

    drain(stamp_relay(issuer))

    assert client.get(f"/api/v1/payment-receipts/{payment_id}.xml", headers=own).status_code == 200
    listed = client.get("/api/v1/payment-receipts", headers=own).json["items"]
    assert [item["status"] for item in listed if item["payment_id"] == str(payment_id)] == ["stamped"]
    # The payment history asks for the receipts of the payments on its page.
    asked = client.get(f"/api/v1/payment-receipts?payment_id={payment_id}&payment_id={uuid.uuid4()}", headers=own)
    assert [item["payment_id"] for item in asked.json["items"]] == [str(payment_id)]
    assert client.get(f"/api/v1/payment-receipts?payment_id={payment_id}", headers=other).json["items"] == []
    assert client.get(f"/api/v1/payment-receipts?customer_id={cfdi_customer['customer_id']}",
                      headers=other).status_code == 403


def test_an_invoice_without_its_cfdi_holds_the_receipt_for_a_person(
        client, bearer, deliver, payment, cfdi_customer, row, import_invoices, session_factory):
    (invoice,) = import_invoices([row(cfdi_customer["account_numbers"][0], amount="500.00")],
                                 cfdi_customer["customer_id"])
    payment_id = uuid.uuid4()
    deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                    items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "500.00"}]))

    receipt = receipt_of(session_factory, payment_id)
    assert (receipt.status, receipt.refusal_code) == (REFUSED, RECEIPT_INVOICE_WITHOUT_CFDI)
    assert invoice["invoice_number"] in receipt.refusal
    assert stamp_rows(session_factory, payment_id) == 0
    listed = client.get("/api/v1/payment-receipts?unstamped=true&page_size=200", headers=bearer("operator")).json
    (item,) = [item for item in listed["items"] if item["payment_id"] == str(payment_id)]
    assert item["refusal_code"] == RECEIPT_INVOICE_WITHOUT_CFDI and item["deadline"]
    assert (item["customer_rfc"], item["customer_name"]) == (cfdi_customer["rfc"], cfdi_customer["name"])
    assert item["total_mxn"] == "500.00"  # what the payment paid, though no REP can list it yet


def test_invoices_issued_pue_need_no_receipt(deliver, payment, invoices_with_cfdi, cfdi_customer, session_factory):
    (invoice,) = invoices_with_cfdi(("MXN", "1160.00"), metodo_pago="PUE", forma_pago="03")
    payment_id = uuid.uuid4()
    deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                    items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "1160.00"}]))
    assert receipt_of(session_factory, payment_id) is None


def test_a_pac_refusal_is_kept_with_its_code(deliver, payment, invoices_with_cfdi, cfdi_customer, pac_url, csd_for,
                                             stamp_relay, session_factory):
    (invoice,) = invoices_with_cfdi(("MXN", "1160.00"))
    payment_id = uuid.uuid4()
    deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                    items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "1160.00"}]))
    # Sealed with somebody else's CSD: the PAC refuses the issuer's seal.
    wrong = make_issuer(pac_url, csd_for("EKU9003173C9", "ESCUELA KEMPER URGATE"))

    drain(stamp_relay(wrong))

    receipt = receipt_of(session_factory, payment_id)
    assert receipt.status == REFUSED and receipt.refusal_code.startswith("pac.3"), receipt.refusal_code


def test_a_stamp_whose_answer_was_lost_is_fetched_not_made_again(
        deliver, payment, invoices_with_cfdi, cfdi_customer, issuer, stamp_relay, session_factory, pac_url):
    (invoice,) = invoices_with_cfdi(("MXN", "1160.00"))
    payment_id = uuid.uuid4()
    deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                    items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "1160.00"}]))

    class LostAnswer:
        """Seals and stamps, then fails as if the PAC's answer never came back."""

        def __init__(self):
            self.stamped: bytes | None = None

        def stamp(self, sealed_xml: bytes) -> bytes:
            from billing_service.adapters.pac import PacUnavailable

            self.stamped = issuer.pac.stamp(sealed_xml)
            raise PacUnavailable("the answer was lost")

    lost = LostAnswer()
    relay = stamp_relay(ReceiptIssuer(issuer.issuer, issuer.seal, lost, issuer.series))
    relay.run_once()
    assert lost.stamped is not None and receipt_of(session_factory, payment_id).status == WAITING
    stamps_before = pac_controls(pac_url)["stamps"]

    drain(stamp_relay(issuer))

    receipt = receipt_of(session_factory, payment_id)
    assert receipt.status == STAMPED and bytes(receipt.stamped_xml) == lost.stamped
    assert pac_controls(pac_url)["stamps"] == stamps_before


def wait_while_progressing(count, target: int, *, idle_seconds: float = 60.0) -> int:
    """Wait until count() reaches target; give up only after idle_seconds without any progress."""
    last, last_change = count(), time.monotonic()
    while last < target:
        time.sleep(0.2)
        now = count()
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > idle_seconds:
            break
    return last


def test_a_pac_outage_during_twenty_payments_delays_their_receipts_and_loses_none(
        deliver, payment, invoices_with_cfdi, cfdi_customer, issuer, stamp_relay, session_factory, pac_url):
    invoices = invoices_with_cfdi(*[("MXN", "1160.00")] * 20)
    payment_ids = [uuid.uuid4() for _ in invoices]
    stamps_before = pac_controls(pac_url)["stamps"]
    pac_controls(pac_url, mode="down", requests=100_000)
    relay = stamp_relay(issuer, poll_seconds=0.05, reconnect_max_seconds=0.5)
    running = threading.Thread(target=relay.run, daemon=True)
    running.start()

    def stamped() -> int:
        with transaction(session_factory) as session:
            return session.scalar(sa.select(sa.func.count()).select_from(PaymentReceipt).where(
                PaymentReceipt.payment_id.in_(payment_ids), PaymentReceipt.status == STAMPED))

    try:
        for payment_id, invoice in zip(payment_ids, invoices):
            deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                            items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "1160.00"}]))
        # The relay keeps asking while the PAC is down, and nothing is stamped.
        asked = 100_000 - pac_controls(pac_url)["requests"]
        deadline = time.monotonic() + 60
        while 100_000 - pac_controls(pac_url)["requests"] < asked + 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 100_000 - pac_controls(pac_url)["requests"] >= asked + 3, "the relay stopped asking the PAC"
        assert stamped() == 0

        pac_controls(pac_url, mode="normal")
        assert wait_while_progressing(stamped, len(payment_ids)) == len(payment_ids)
    finally:
        relay.stop()
        running.join(timeout=60)

    with transaction(session_factory) as session:
        folios = session.scalars(sa.select(PaymentReceipt.fiscal_folio).where(
            PaymentReceipt.payment_id.in_(payment_ids))).all()
    assert len(set(folios)) == 20 and None not in folios
    assert pac_controls(pac_url)["stamps"] - stamps_before == 20
    # Every confirmation delivered again: no receipt, no stamp request more.
    for payment_id, invoice in zip(payment_ids, invoices):
        deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                        items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "1160.00"}]))
        assert stamp_rows(session_factory, payment_id) == 1


def test_a_pac_answering_after_the_timeout_stamps_the_receipt_once(
        deliver, payment, invoices_with_cfdi, cfdi_customer, issuer, vendor_signer, stamp_relay, session_factory,
        pac_url):
    (invoice,) = invoices_with_cfdi(("MXN", "1160.00"))
    payment_id = uuid.uuid4()
    deliver(payment("confirmed", payment_id=payment_id, customer_id=cfdi_customer["customer_id"],
                    items=[{"invoice_id": invoice["id"], "currency": "MXN", "amount": "1160.00"}]))
    stamps_before = pac_controls(pac_url)["stamps"]
    # The PAC holds the next request 3 s, then stamps it; billing gives up after half a second.
    pac_controls(pac_url, mode="slow", requests=1, seconds=3)
    impatient = make_issuer(pac_url, vendor_signer)
    impatient = ReceiptIssuer(impatient.issuer, impatient.seal, HttpPac(pac_url, PAC_USER, PAC_PASSWORD,
                                                                        timeout_seconds=0.5), impatient.series)
    relay = stamp_relay(impatient)

    relay.run_once()

    assert relay.last_transport_error is not None and receipt_of(session_factory, payment_id).status == WAITING
    deadline = time.monotonic() + 60
    while pac_controls(pac_url)["stamps"] == stamps_before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pac_controls(pac_url)["stamps"] == stamps_before + 1, "the held request was never stamped"

    drain(stamp_relay(issuer))

    assert receipt_of(session_factory, payment_id).status == STAMPED
    assert pac_controls(pac_url)["stamps"] == stamps_before + 1
