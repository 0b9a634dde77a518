"""Mails are Spanish first, English below, and carry the link."""
from __future__ import annotations

from identity_service.domain import mail


def test_texts_are_bilingual_and_carry_the_link():
    link = "http://portal.test/reset-password?token=abc"
    message = mail.reset_password(link, "Ana", 1800)
    assert link in message.text
    spanish, english = message.text.split("---")
    assert "contraseña" in spanish and "30 minutos" in spanish
    assert "password" in english and "30 minutes" in english


def test_long_durations_read_in_days():
    message = mail.invitation("http://x/activate?token=t", "Ana", "Demo SA", 7 * 24 * 3600)
    assert "7 días" in message.text and "7 days" in message.text


def test_the_notice_of_an_address_in_use_names_the_company_and_what_to_do_in_both_languages():
    message = mail.invitation_to_address_in_use("Demo SA")
    spanish, english = message.text.split("---")
    assert "Un administrador de Demo SA intentó invitar" in spanish
    assert "no se creó una segunda cuenta" in spanish and "otra de sus direcciones de correo" in spanish
    assert "servicio a clientes" in spanish
    assert "An administrator of Demo SA tried to invite" in english
    assert "no second account was made" in english and "another of your e-mail addresses" in english
    assert "customer service" in english
    # Nothing to click: the account it is about is not offered to anybody.
    assert "http" not in message.text
