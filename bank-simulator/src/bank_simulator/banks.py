"""What differs between the simulated banks: names, colours, reference format, the page's fields."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BankProfile:
    name: str  # as payment-service names it
    display_name: str
    reference_prefix: str  # bank references look like "BC-Banamex 063197"
    primary_colour: str
    accent_colour: str
    template: str
    secret_variable: str
    default_secret: str
    default_port: int


PROFILES = {
    "citibanamex": BankProfile(
        name="citibanamex",
        display_name="Citibanamex",
        reference_prefix="BC-Banamex",
        primary_colour="#002d72",
        accent_colour="#d6001c",
        template="pay_citibanamex.html",
        secret_variable="CITIBANAMEX_SECRET",
        default_secret="dev-citibanamex-secret",
        default_port=8101,
    ),
    "bbva": BankProfile(
        name="bbva",
        display_name="BBVA Multipagos",
        reference_prefix="BBVA-MP",
        primary_colour="#072146",
        accent_colour="#1973b8",
        template="pay_bbva.html",
        secret_variable="BBVA_SECRET",
        default_secret="dev-bbva-secret",
        default_port=8102,
    ),
}


def profile(bank: str) -> BankProfile:
    try:
        return PROFILES[bank]
    except KeyError:
        raise ValueError(f"unknown bank {bank!r}; choose one of {', '.join(PROFILES)}") from None
