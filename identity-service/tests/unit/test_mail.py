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
