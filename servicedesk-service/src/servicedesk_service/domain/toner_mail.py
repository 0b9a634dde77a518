"""The mail a customer's stock admins get for a new toner order: Spanish first, the same in English below."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class TonerOrderMail:
    subject: str
    text: str


def toner_order_mail(
    *, order_id: str, toner_item: str, quantity: int, location_name: str, shipping_address: str,
    serial_number: str | None, percent: int, created_at: datetime, time_zone: str,
) -> TonerOrderMail:
    when = created_at.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")
    device_es = f"El equipo {serial_number} reportó" if serial_number else "Un equipo reportó"
    device_en = f"Device {serial_number} reported" if serial_number else "A device reported"
    return TonerOrderMail(
        subject=f"Pedido de tóner {toner_item} para {location_name} / Toner order {toner_item} for {location_name}",
        text=(
            "Hola:\n\n"
            f"{device_es} el tóner {toner_item} al {percent} % y el inventario de {location_name} "
            "está en su punto de reorden o por debajo, así que generamos un pedido de reabastecimiento.\n\n"
            f"Pedido: {order_id}\n"
            f"Tóner: {toner_item}\n"
            f"Cantidad: {quantity}\n"
            f"Se enviará a: {location_name}, {shipping_address}\n"
            f"Fecha: {when}\n\n"
            "Le avisaremos cuando salga el envío. Si el inventario cambió, actualícelo en el portal.\n\n"
            "---\n\n"
            "Hello,\n\n"
            f"{device_en} toner {toner_item} at {percent} % and the stock at {location_name} is at or under its "
            "reorder point, so we placed a replenishment order.\n"
            f"Order {order_id}: {quantity} x {toner_item}, shipped to {location_name}, {shipping_address}; "
            f"placed {when}.\n"
            "If your stock has changed, please update it in the portal.\n"
        ),
    )
