"""Sends outbox rows of the "mail" channel through SMTP (SMTP_URL, default smtp://127.0.0.1:1025)."""
from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from portal_shared.config import env_str
from portal_shared.messaging.errors import DeliveryRefused, TransportUnavailable

DEFAULT_SMTP_URL = "smtp://127.0.0.1:1025"
DEFAULT_MAIL_FROM = "Portal <no-reply@portal.local>"
# 421: the server is closing the connection; every message would meet the same answer.
_SERVICE_UNAVAILABLE = 421


def build_message(payload: dict, *, message_id: str, sender: str) -> EmailMessage:
    for key in ("to", "subject", "text"):
        if not isinstance(payload.get(key), str) or not payload[key]:
            raise DeliveryRefused(f"mail payload lacks {key!r}")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(usegmt=True)
    # Stable per outbox row, so a re-send after a crash is recognisably the same mail.
    message["Message-ID"] = f"<{message_id}@portal.local>"
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")  # multipart/alternative
    return message


class SmtpMailSender:
    def __init__(self, smtp_url: str | None = None, *, sender: str | None = None, timeout: float = 10.0):
        self.smtp_url = smtp_url or env_str("SMTP_URL", DEFAULT_SMTP_URL)
        parsed = urlsplit(self.smtp_url)
        if parsed.scheme not in {"smtp", "smtps"}:
            raise RuntimeError(f"SMTP_URL must be smtp://host:port or smtps://host:port, got {self.smtp_url!r}")
        self.use_ssl = parsed.scheme == "smtps"
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (465 if self.use_ssl else 25)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.sender = sender or env_str("MAIL_FROM", DEFAULT_MAIL_FROM)
        self.timeout = timeout

    def send(self, row) -> None:
        try:
            payload = json.loads(row.payload)
        except ValueError as exc:
            raise DeliveryRefused(f"mail payload is not JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise DeliveryRefused("mail payload is not a JSON object")
        message = build_message(payload, message_id=row.message_id, sender=self.sender)
        smtp_class = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        try:
            with smtp_class(self.host, self.port, timeout=self.timeout) as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPConnectError, smtplib.SMTPAuthenticationError) as exc:
            # A refused greeting or refused credentials would meet every message alike.
            raise TransportUnavailable(f"mail server unusable: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == _SERVICE_UNAVAILABLE:
                raise TransportUnavailable(f"mail server unavailable: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise DeliveryRefused(f"mail server refused the message: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryRefused(f"mail server refused the recipients: {exc.recipients}") from exc
        except OSError as exc:
            # Connection refused, timeouts, SMTPServerDisconnected (SMTPException subclasses OSError,
            # which is why the refusals above are caught first).
            raise TransportUnavailable(
                f"cannot reach the mail server at {self.host}:{self.port}: {type(exc).__name__}: {exc}"
            ) from exc

    def close(self) -> None:
        """Each message uses its own SMTP connection; nothing is held between sends."""
