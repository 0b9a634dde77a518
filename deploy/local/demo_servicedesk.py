"""Demo devices, their device admins, their meter history and a stock location, fed through the gateway's API.

The operator registers the devices as the back office would and brings over a few months of
their meter readings, as the ERP's history; the demo customer's admin assigns them and sets up
toner stock. Idempotent: devices are keyed by serial number, the stock location by name, and a
device that has readings already gets no history, so running it again changes nothing.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from demo_billing import _call as call

ADMIN = "admin@comercializadora-demo.mx"
DEVICE_ADMIN = "equipos@comercializadora-demo.mx"
STOCK_DEVICE_ADMIN = "almacen-equipos@comercializadora-demo.mx"
COUNTERS = ["total", "black", "colour"]
# (serial number, model, account, response hours, where in the building, who is in charge)
DEVICES = [
    ("DEMO-C5840-0001", "imageRUNNER ADVANCE DX C5840i", "005300", 4, "Piso 3, junto a recepción", DEVICE_ADMIN),
    ("DEMO-C3930-0002", "imageRUNNER ADVANCE DX C3930i", "005300", 8, "Piso 5, sala de juntas", DEVICE_ADMIN),
    ("DEMO-C5850-0003", "imageRUNNER ADVANCE DX C5850i", "005301", 4, "Planta baja, almacén", STOCK_DEVICE_ADMIN),
]
INSTALL_ADDRESS = "Av. Paseo de la Reforma 222, Juárez, Cuauhtémoc, 06600 Ciudad de México"
STOCK_LOCATION = {
    "name": "Almacén central",
    "shipping_address": INSTALL_ADDRESS,
    "shipping_instructions": "Entregar en recepción de mercancía, planta baja, de lunes a viernes de 9 a 14 h.",
    # GPR-58 K is at its reorder point already: the first low black report of the device on this
    # location places an order (and its mail shows in the mail sink).
    "inventory": [
        {"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4},
        {"toner_item": "GPR-58 C", "quantity": 6, "reorder_point": 3},
        {"toner_item": "GPR-58 M", "quantity": 6, "reorder_point": 3},
        {"toner_item": "GPR-58 Y", "quantity": 5, "reorder_point": 3},
    ],
}
# Which demo device the stock location replenishes.
STOCKED_DEVICE = "DEMO-C5850-0003"
# servicedesk's CUSTOMER_TIME_ZONE default: the zone its "today" is counted in.
READING_TIME_ZONE = ZoneInfo("America/Mexico_City")
HISTORY_MONTHS = 3
# Per counter: the value on the first history day, and what a working day adds (per device, a
# multiple of it). total is black and colour together, as the device counts it.
COUNTER_HISTORY = {"black": (84_000, 190), "colour": (36_000, 80)}


def _sign_in(base_url: str, username: str, password: str) -> str:
    status, tokens = call(base_url, "POST", "/api/v1/auth/login", {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"{username} sign-in failed ({status}): {tokens}")
    return tokens["access_token"]


def _until(attempt, what: str, timeout: float):
    """Retry `attempt` (returning (done, answer)) while servicedesk has not yet learned identity's events."""
    deadline = time.monotonic() + timeout
    while True:
        done, answer = attempt()
        if done:
            return answer
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} failed: {answer}")
        time.sleep(0.5)


def meter_history(today: date, device_number: int) -> list[dict]:
    """One reading a day, every counter of it, from the 1st of the month HISTORY_MONTHS months before
    today's until yesterday (today's is left for people to enter), oldest first. The office prints
    on working days; on a weekend the counters stay where they were (equal is accepted)."""
    year, month = today.year, today.month - HISTORY_MONTHS
    while month < 1:
        year, month = year - 1, month + 12
    day = date(year, month, 1)
    values = {counter: start * device_number for counter, (start, _daily) in COUNTER_HISTORY.items()}
    readings = []
    while day < today:
        if day.weekday() < 5 and readings:
            for counter, (_start, daily) in COUNTER_HISTORY.items():
                # A little more on some days than on others, the same on every run.
                values[counter] += daily * device_number * (1 + (day.toordinal() + device_number) % 3) // 2
        counters = {"total": values["black"] + values["colour"], **values}
        readings.append({"counters": {name: counters[name] for name in COUNTERS}, "read_on": day.isoformat()})
        day += timedelta(days=1)
    return readings


def _record_history(base_url: str, operator_token: str, admin_token: str, device_ids: dict[str, str]) -> int:
    """Each device's meter history, recorded by the operator; a device with readings already is left alone."""
    today = datetime.now(READING_TIME_ZONE).date()
    recorded = 0
    for number, (serial, *_) in enumerate(DEVICES, start=1):
        path = f"/api/v1/devices/{device_ids[serial]}/meter-readings"
        status, history = call(base_url, "GET", path, token=admin_token)
        if status != 200:
            raise RuntimeError(f"reading {serial}'s meter history failed ({status}): {history}")
        if history["items"]:
            continue
        for reading in meter_history(today, number):
            status, answer = call(base_url, "POST", path, reading, operator_token)
            if status != 201:
                raise RuntimeError(f"recording {serial}'s reading of {reading['read_on']} failed "
                                   f"({status}): {answer}")
        recorded += 1
    return recorded


def seed(base_url: str, operator: str, password: str, timeout: float = 60.0) -> str:
    operator_token = _sign_in(base_url, operator, password)
    admin_token = _sign_in(base_url, ADMIN, password)
    status, me = call(base_url, "GET", "/api/v1/me", token=admin_token)
    if status != 200:
        raise RuntimeError(f"reading the demo admin failed ({status}): {me}")
    customer_id = me["customer"]["id"]

    registered = 0
    for serial, model, account, hours, location, _ in DEVICES:
        body = {"serial_number": serial, "model": model, "customer_id": customer_id, "account_number": account,
                "install_address": INSTALL_ADDRESS, "location": location, "response_hours": hours,
                "counters": COUNTERS}

        def register(body=body):
            status, answer = call(base_url, "POST", "/api/v1/devices", body, operator_token)
            # 422 on customer_id: the customer's registration has not reached servicedesk yet.
            return status in (201, 409), (status, answer)

        status, _ = _until(register, f"registering {serial}", timeout)
        registered += status == 201

    status, listed = call(base_url, "GET", f"/api/v1/devices?customer_id={customer_id}", token=operator_token)
    if status != 200:
        raise RuntimeError(f"listing the demo devices failed ({status}): {listed}")
    device_ids = {device["serial_number"]: device["id"] for device in listed["items"]}

    status, users = call(base_url, "GET", "/api/v1/users", token=admin_token)
    if status != 200:
        raise RuntimeError(f"listing the demo users failed ({status}): {users}")
    user_ids = {user["username"]: user["id"] for user in users["items"]}
    for serial, *_, in_charge in DEVICES:
        path = f"/api/v1/devices/{device_ids[serial]}/assignees"

        def assign(path=path, user_id=user_ids[in_charge]):
            status, answer = call(base_url, "PUT", path, {"user_ids": [user_id]}, admin_token)
            # 422 on user_ids: the user's creation has not reached servicedesk yet.
            return status == 200, (status, answer)

        _until(assign, f"assigning {serial} to {in_charge}", timeout)

    with_history = _record_history(base_url, operator_token, admin_token, device_ids)

    status, locations = call(base_url, "GET", "/api/v1/stock-locations", token=admin_token)
    if status != 200:
        raise RuntimeError(f"listing the stock locations failed ({status}): {locations}")
    stock_location = next((item for item in locations["items"] if item["name"] == STOCK_LOCATION["name"]), None)
    if stock_location is None:
        status, stock_location = call(base_url, "POST", "/api/v1/stock-locations", STOCK_LOCATION, admin_token)
        if status != 201:
            raise RuntimeError(f"creating the stock location failed ({status}): {stock_location}")
    status, answer = call(base_url, "PUT", f"/api/v1/devices/{device_ids[STOCKED_DEVICE]}/stock-location",
                          {"stock_location_id": stock_location["id"]}, admin_token)
    if status != 200:
        raise RuntimeError(f"putting {STOCKED_DEVICE} on the stock location failed ({status}): {answer}")

    return (f"Service desk demo data: {registered} new devices ({len(DEVICES) - registered} already there), "
            f"assigned to {DEVICE_ADMIN} and {STOCK_DEVICE_ADMIN}; {HISTORY_MONTHS} months of daily meter readings "
            f"on {with_history} of them ({len(DEVICES) - with_history} had readings already); stock location "
            f"\"{STOCK_LOCATION['name']}\" replenishes {STOCKED_DEVICE} (GPR-58 K at its reorder point).")
