"""Each simulated bank: server API, hosted page, outcomes, signed notifications, redirect back."""
from __future__ import annotations

import re

import pytest


def choose(client, payment_id: str, outcome: str, form: dict):
    return client.post(f"/pay/{payment_id}", data={"outcome": outcome, **form})


def status(client, payment_id: str) -> dict:
    response = client.get(f"/api/payments/{payment_id}")
    assert response.status_code == 200
    return response.json


def test_registration_gives_an_id_and_the_page_url(client, register):
    created = register()
    assert re.fullmatch(r"[0-9a-f]{32}", created["bank_payment_id"])
    assert created["redirect_url"] == f"http://localhost/pay/{created['bank_payment_id']}"
    assert status(client, created["bank_payment_id"])["status"] == "pending"


def test_public_url_is_used_for_redirects(bank, receiver):
    from bank_simulator import create_app

    client = create_app(bank, {"DATABASE": ":memory:", "PUBLIC_URL": "https://banco.example/"}).test_client()
    response = client.post("/api/payments", json={
        "reference": "R", "amount": "1.00", "currency": "MXN", "concept": "c",
        "return_url": "http://x.test/r", "notify_url": receiver.url,
    })
    assert response.json["redirect_url"].startswith("https://banco.example/pay/")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"reference": ""}, "reference"),
        ({"notify_url": "ftp://x"}, "notify_url"),
        ({"return_url": None}, "return_url"),
    ],
)
def test_invalid_registration_is_422(client, receiver, change, field):
    body = {"reference": "R", "amount": "1.00", "currency": "MXN", "concept": "c",
            "return_url": "http://x.test/r", "notify_url": receiver.url, **change}
    response = client.post("/api/payments", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_unknown_payment_is_404(client):
    assert client.get("/api/payments/nope").status_code == 404
    assert client.get("/pay/nope").status_code == 404


def test_citibanamex_page_asks_client_number_and_nip():
    from bank_simulator import create_app

    client = create_app("citibanamex", {"DATABASE": ":memory:"}).test_client()
    created = client.post("/api/payments", json={
        "reference": "P1", "amount": "1620.50", "currency": "MXN", "concept": "Pago de facturas P1",
        "return_url": "http://x.test/r", "notify_url": "http://x.test/n",
    }).json
    page = client.get(f"/pay/{created['bank_payment_id']}").get_data(as_text=True)
    assert "Citibanamex" in page and "Número de cliente" in page and "NIP" in page
    assert 'name="client_number"' in page and 'name="nip"' in page
    assert "$1,620.50 MXN" in page and "P1" in page
    for outcome in ("approve", "decline", "approve_without_notice", "never_answer", "notify_twice"):
        assert f'value="{outcome}"' in page


def test_bbva_page_shows_folio_reference_concept_amount_and_asks_email_and_phone():
    from bank_simulator import create_app

    client = create_app("bbva", {"DATABASE": ":memory:"}).test_client()
    created = client.post("/api/payments", json={
        "reference": "P2", "amount": "99.90", "currency": "MXN", "concept": "PAGO FACTURAS P2",
        "return_url": "http://x.test/r", "notify_url": "http://x.test/n",
    }).json
    page = client.get(f"/pay/{created['bank_payment_id']}").get_data(as_text=True)
    assert "Multipagos" in page
    for label in ("Folio", "Referencia", "Concepto", "Importe", "Correo electrónico", "Teléfono"):
        assert label in page
    assert re.search(r"<dt>Folio</dt><dd>\d{7}</dd>", page)
    assert "PAGO FACTURAS P2" in page and "$99.90 MXN" in page
    assert 'name="email"' in page and 'name="phone"' in page


def test_approve_notifies_signed_and_redirects_back(bank, client, register, receiver, form, verify):
    created = register()

    response = choose(client, created["bank_payment_id"], "approve", form)

    assert response.status_code == 303
    assert response.headers["Location"] == "http://portal.test/payments/return?payment=abc"
    ((headers, body),) = receiver.received
    notification = verify(headers, body)
    prefix = "BC-Banamex" if bank == "citibanamex" else "BBVA-MP"
    assert re.fullmatch(prefix + r" \d{6}", notification["bank_reference"])
    assert notification == {
        "bank_payment_id": created["bank_payment_id"],
        "reference": "P00000000042",
        "status": "approved",
        "bank_reference": notification["bank_reference"],
        "email": form["email"],
        "amount": "1620.50",
    }
    known = status(client, created["bank_payment_id"])
    assert (known["status"], known["bank_reference"], known["email"]) == (
        "approved", notification["bank_reference"], form["email"],
    )


def test_decline_notifies_a_decline(bank, client, register, receiver, verify):
    created = register()
    assert choose(client, created["bank_payment_id"], "decline", {}).status_code == 303
    ((headers, body),) = receiver.received
    assert verify(headers, body)["status"] == "declined"
    assert status(client, created["bank_payment_id"])["status"] == "declined"


def test_approve_without_notice_sends_nothing(bank, client, register, receiver, form):
    created = register()
    assert choose(client, created["bank_payment_id"], "approve_without_notice", form).status_code == 303
    assert receiver.received == []
    assert status(client, created["bank_payment_id"])["status"] == "approved"


def test_never_answer_stays_pending_and_cannot_be_decided_again(bank, client, register, receiver, form):
    created = register()
    assert choose(client, created["bank_payment_id"], "never_answer", form).status_code == 303
    assert receiver.received == []
    assert status(client, created["bank_payment_id"])["status"] == "pending"
    assert choose(client, created["bank_payment_id"], "approve", form).status_code == 409
    assert client.get(f"/pay/{created['bank_payment_id']}").status_code == 409
    assert status(client, created["bank_payment_id"])["status"] == "pending"


def test_notify_twice_sends_the_same_notification_twice(bank, client, register, receiver, form, verify):
    created = register()
    choose(client, created["bank_payment_id"], "notify_twice", form)
    assert len(receiver.received) == 2
    first, second = (verify(h, b) for h, b in receiver.received)
    assert first == second and first["status"] == "approved"


def test_missing_credentials_decide_nothing(bank, client, register, receiver, form):
    created = register()
    response = choose(client, created["bank_payment_id"], "approve", {})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert receiver.received == []
    assert status(client, created["bank_payment_id"])["status"] == "pending"
    assert choose(client, created["bank_payment_id"], "teleport", form).status_code == 422


def test_unreachable_merchant_still_redirects(bank, client, register, form):
    created = register(notify_url="http://127.0.0.1:1/notify")
    response = choose(client, created["bank_payment_id"], "approve", form)
    assert response.status_code == 303
    assert status(client, created["bank_payment_id"])["status"] == "approved"


def test_cancel_and_return_takes_the_customer_back_uncharged(bank, client, register, receiver):
    payment = register()
    page = client.get(f"/pay/{payment['bank_payment_id']}").get_data(as_text=True)
    assert "Cancelar y regresar al comercio" in page
    response = client.post(f"/pay/{payment['bank_payment_id']}/cancel")
    assert response.status_code == 303
    assert response.headers["Location"] == "http://portal.test/payments/return?payment=abc"
    assert client.get(f"/api/payments/{payment['bank_payment_id']}").json["status"] == "cancelled"
    assert receiver.received == []
    # Too late to pay it now, or to cancel it twice.
    assert client.get(f"/pay/{payment['bank_payment_id']}").status_code == 409
    assert client.post(f"/pay/{payment['bank_payment_id']}/cancel").status_code == 409


def test_the_merchant_cancels_what_the_bank_has_not_decided(bank, client, register, form):
    pending = register()
    answer = client.post(f"/api/payments/{pending['bank_payment_id']}/cancel")
    assert (answer.status_code, answer.json["status"]) == (200, "cancelled")
    # Left "never answering" by the customer: still the bank's to cancel.
    stuck = register()
    client.post(f"/pay/{stuck['bank_payment_id']}", data={**form, "outcome": "never_answer"})
    assert client.post(f"/api/payments/{stuck['bank_payment_id']}/cancel").json["status"] == "cancelled"


def test_a_payment_the_bank_already_paid_is_not_cancelled(bank, client, register, form):
    paid = register()
    client.post(f"/pay/{paid['bank_payment_id']}", data={**form, "outcome": "approve"})
    answer = client.post(f"/api/payments/{paid['bank_payment_id']}/cancel")
    assert answer.status_code == 409
    assert answer.json["status"] == "approved" and answer.json["bank_reference"]
    assert client.post("/api/payments/no-such-payment/cancel").status_code == 404


def test_an_approval_after_a_cancel_pays_the_cancelled_payment_once(bank, client, register, receiver, form, verify):
    pending, cancelled = register(), register()
    # Only a cancelled payment takes it: a pending one is the customer's ordinary choice to make.
    assert choose(client, pending["bank_payment_id"], "approve_after_cancel", form).status_code == 409
    assert status(client, pending["bank_payment_id"])["status"] == "pending"
    assert client.post(f"/api/payments/{cancelled['bank_payment_id']}/cancel").json["status"] == "cancelled"

    response = choose(client, cancelled["bank_payment_id"], "approve_after_cancel", form)

    assert response.status_code == 303
    ((headers, body),) = receiver.received
    notification = verify(headers, body)
    assert notification["status"] == "approved" and notification["bank_reference"]
    known = status(client, cancelled["bank_payment_id"])
    assert (known["status"], known["bank_reference"]) == ("approved", notification["bank_reference"])
    assert choose(client, cancelled["bank_payment_id"], "approve_after_cancel", form).status_code == 409
    assert client.post(f"/api/payments/{cancelled['bank_payment_id']}/cancel").status_code == 409
    assert len(receiver.received) == 1
