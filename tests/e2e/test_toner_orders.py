"""Toner replenishment through the whole stack: many low-toner reports of one device, one order, one mail."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from desk import (
    create_stock_location,
    desk_customer,
    ids,
    place_device,
    register_device,
    report_toner,
)
from portal_shared.auth.roles import STOCK_ADMIN
from stack import Api, Stack, wait_until

TONER = "GPR-58 K"


def toner_mails(stack: Stack, address: str, order_id: str) -> list[dict]:
    return [mail for mail in stack.mail_to(address) if order_id in mail["text"]]


def test_twenty_low_toner_reports_place_one_order_and_one_mail(stack: Stack, api: Api, operator: Api, activated_admin):
    company = desk_customer(stack, api, activated_admin, (STOCK_ADMIN,))
    keeper = company.people[STOCK_ADMIN]
    # The order's mail goes to the stock admins servicedesk knows of, from identity's user.created.
    wait_until(lambda: stack.scalar("servicedesk", "SELECT count(*) FROM users WHERE id = CAST(:u AS uuid)",
                                    u=keeper.id) == 1, what="servicedesk to know the stock admin")
    device = register_device(operator, company)
    location = create_stock_location(api, keeper.token,
                                     inventory=[{"toner_item": TONER, "quantity": 1, "reorder_point": 3}])
    place_device(api, keeper.token, device, location)

    first = [report_toner(operator, device, TONER, 8) for _ in range(5)]
    with ThreadPoolExecutor(max_workers=15) as pool:
        concurrent = list(pool.map(lambda _: report_toner(operator, device, TONER, 7), range(15)))
    reports = first + concurrent
    assert [r.status_code for r in reports] == [202] * 20, [(r.status_code, r.text[:200]) for r in reports]
    placed = [order for r in reports for order in r.json()["orders"]]
    assert len(placed) == 1, placed
    order = placed[0]
    assert reports[0].json()["orders"] == [order], "the first low report places the order"
    assert order["toner_item"] == TONER and order["status"] == "open"
    assert order["quantity"] == 5  # up to twice the reorder point: 2 × 3 − 1

    listed = api.get("/api/v1/toner-orders", token=keeper.token)
    assert ids(listed) == {order["id"]}
    [shown] = listed.json()["items"]
    assert shown["device_id"] == device["id"] and shown["stock_location_id"] == location["id"]
    assert shown["serial_number"] == device["serial_number"]
    assert api.get(f"/api/v1/toner-orders/{order['id']}", token=keeper.token).status_code == 200

    mails = wait_until(lambda: toner_mails(stack, keeper.email, order["id"]), what="the toner order's mail")
    # Once the outbox has nothing left to send, the sink holds every mail the reports caused.
    wait_until(lambda: stack.scalar("servicedesk", "SELECT count(*) FROM outbox WHERE channel = 'mail' "
                                                   "AND sent_at IS NULL") == 0,
               what="servicedesk's mail outbox drained")
    mails = toner_mails(stack, keeper.email, order["id"])
    assert len(mails) == 1, mails
    assert TONER in mails[0]["subject"] and location["name"] in mails[0]["text"]
    assert device["serial_number"] in mails[0]["text"]
    assert stack.scalar("servicedesk", "SELECT count(*) FROM outbox WHERE channel = 'mail' AND payload LIKE :o",
                        o=f"%{order['id']}%") == 1
    # The admin keeps no stock, so it gets no such mail.
    assert toner_mails(stack, company.admin.email, order["id"]) == []
