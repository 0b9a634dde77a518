"""The mails that tell people what happened elsewhere in the portal (a statement published, an
incident opened or moved): Spanish first, the same in English below. No database.

The events carry keys (a status, a category, a period); the words for them in both languages are
here, as the portal's pages say them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from identity_service.domain.mail import MailMessage

INCIDENT_STATUS_NAMES = {
    "open": ("Abierta", "Open"),
    "acknowledged": ("Recibida", "Acknowledged"),
    "in_progress": ("En atención", "In progress"),
    "resolved": ("Resuelta", "Resolved"),
    "closed": ("Cerrada", "Closed"),
    "cancelled": ("Cancelada por el cliente", "Cancelled by the customer"),
}
INCIDENT_CATEGORY_NAMES = {
    "paper_jam": ("Atasco de papel", "Paper jam"),
    "print_quality": ("Calidad de impresión o copia", "Print or copy quality"),
    "error_code": ("Código de error en la pantalla", "Error code on the display"),
    "no_power": ("No enciende", "Does not turn on"),
    "scanning": ("Escaneo o red", "Scanning or network"),
    "toner": ("Tóner o consumibles", "Toner or supplies"),
    "noise": ("Ruido o falla mecánica", "Noise or mechanical failure"),
    "other": ("Otro", "Other"),
}
MONTHS = (
    ("enero", "January"), ("febrero", "February"), ("marzo", "March"), ("abril", "April"), ("mayo", "May"),
    ("junio", "June"), ("julio", "July"), ("agosto", "August"), ("septiembre", "September"),
    ("octubre", "October"), ("noviembre", "November"), ("diciembre", "December"),
)
# What a description is cut to in a mail: enough to recognise the incident, the rest is in the portal.
DESCRIPTION_CHARS = 300


@dataclass(frozen=True)
class IncidentFacts:
    """What an incident mail says about the incident."""

    number: str
    serial_number: str
    link: str


def _names(table: dict[str, tuple[str, str]], key: str) -> tuple[str, str]:
    # A key added elsewhere before its words are added here is said as it is, never dropped.
    return table.get(key, (key, key))


def period_names(period: str) -> tuple[str, str]:
    """'2026-11' as 'noviembre de 2026' and 'November 2026'."""
    year, month = period.split("-")
    spanish, english = MONTHS[int(month) - 1]
    return f"{spanish} de {year}", f"{english} {year}"


def _amount(value: Decimal, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1].rstrip() + "…"


def statement_published(
    *, name: str, company: str, account_number: str, period: str,
    closing_mxn: Decimal, closing_usd: Decimal, link: str,
) -> MailMessage:
    spanish_period, english_period = period_names(period)
    balances = f"{_amount(closing_mxn, 'MXN')} · {_amount(closing_usd, 'USD')}"
    return MailMessage(
        subject=(f"Estado de cuenta de {spanish_period} disponible / "
                 f"Statement of account for {english_period} available"),
        text=(
            f"Hola {name}:\n\n"
            f"El estado de cuenta de {spanish_period} de {company}, cuenta {account_number}, ya está en el portal.\n"
            f"Saldo al cierre: {balances}\n"
            f"Descárguelo aquí: {link}\n\n"
            "---\n\n"
            f"Hello {name},\n\n"
            f"The statement of account for {english_period} of {company}, account {account_number}, "
            "is in the portal.\n"
            f"Closing balance: {balances}\n"
            "Download it from the link above.\n"
        ),
    )


def incident_opened(
    facts: IncidentFacts, *, name: str, model: str, category: str, description: str,
    opened_at: datetime, response_due_at: datetime, time_zone: str,
) -> MailMessage:
    category_es, category_en = _names(INCIDENT_CATEGORY_NAMES, category)
    opened, due = _local(opened_at, time_zone), _local(response_due_at, time_zone)
    return MailMessage(
        subject=f"Incidencia {facts.number} registrada / Incident {facts.number} opened",
        text=(
            f"Hola {name}:\n\n"
            f"Registramos la incidencia {facts.number} del equipo {model}, serie {facts.serial_number}.\n"
            f"Tipo: {category_es}\n"
            f"Descripción: {_short(description)}\n"
            f"Abierta: {opened}\n"
            f"Le responderemos a más tardar: {due}\n"
            f"Sígala en el portal: {facts.link}\n\n"
            "Cite este número si nos llama. Le escribiremos cada vez que cambie de estado.\n\n"
            "---\n\n"
            f"Hello {name},\n\n"
            f"We opened incident {facts.number} for the {model}, serial number {facts.serial_number}.\n"
            f"Type: {category_en}\n"
            f"Opened: {opened}; we will respond by {due}.\n"
            "Follow it in the portal at the link above, and quote its number if you call us. "
            "We will write each time its status changes.\n"
        ),
    )


def incident_status_changed(facts: IncidentFacts, *, name: str, from_status: str, to_status: str,
                            changed_at: datetime, time_zone: str) -> MailMessage:
    from_es, from_en = _names(INCIDENT_STATUS_NAMES, from_status)
    to_es, to_en = _names(INCIDENT_STATUS_NAMES, to_status)
    when = _local(changed_at, time_zone)
    return MailMessage(
        subject=f"Incidencia {facts.number}: {to_es} / Incident {facts.number}: {to_en}",
        text=(
            f"Hola {name}:\n\n"
            f"La incidencia {facts.number} del equipo con serie {facts.serial_number} pasó de "
            f"«{from_es}» a «{to_es}» el {when}.\n"
            f"Véala en el portal: {facts.link}\n\n"
            "---\n\n"
            f"Hello {name},\n\n"
            f"Incident {facts.number} of the device with serial number {facts.serial_number} went from "
            f"“{from_en}” to “{to_en}” on {when}.\n"
            "See it in the portal at the link above.\n"
        ),
    )
