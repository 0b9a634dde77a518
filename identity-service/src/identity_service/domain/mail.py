"""The e-mails identity sends: Spanish first, the same in English below."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MailMessage:
    subject: str
    text: str


def _duration(seconds: int) -> tuple[str, str]:
    """How long a link lasts, in Spanish and in English."""
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} minutos", f"{minutes} minutes"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} horas", f"{hours} hours"
    return f"{hours // 24} días", f"{hours // 24} days"


def verify_email(link: str, name: str, ttl_seconds: int) -> MailMessage:
    return MailMessage(
        subject="Confirme su correo electrónico / Confirm your e-mail address",
        text=(
            f"Hola {name}:\n\n"
            "Confirme que esta dirección de correo es suya abriendo el siguiente enlace:\n"
            f"{link}\n\n"
            f"El enlace vence en {_duration(ttl_seconds)[0]}. Si usted no lo solicitó, ignore este mensaje.\n\n"
            "---\n\n"
            f"Hello {name},\n\n"
            "Please confirm that this e-mail address is yours by opening the link above.\n"
            f"It expires in {_duration(ttl_seconds)[1]}. If you did not ask for it, ignore this message.\n"
        ),
    )


def reset_password(link: str, name: str, ttl_seconds: int) -> MailMessage:
    return MailMessage(
        subject="Restablezca su contraseña / Reset your password",
        text=(
            f"Hola {name}:\n\n"
            "Recibimos una solicitud para restablecer la contraseña de su cuenta en el portal de clientes.\n"
            f"Para elegir una nueva contraseña abra este enlace:\n{link}\n\n"
            f"El enlace sirve una sola vez y vence en {_duration(ttl_seconds)[0]}. "
            "Si usted no lo solicitó, ignore este mensaje: su contraseña no cambia.\n\n"
            "---\n\n"
            f"Hello {name},\n\n"
            "We received a request to reset the password of your customer portal account.\n"
            "Open the link above to choose a new password. It works once and expires in "
            f"{_duration(ttl_seconds)[1]}. If you did not ask for it, ignore this message: "
            "your password stays the same.\n"
        ),
    )


def invitation(link: str, name: str, company: str, ttl_seconds: int) -> MailMessage:
    return MailMessage(
        subject=f"Invitación al portal de clientes de {company} / Invitation to the customer portal",
        text=(
            f"Hola {name}:\n\n"
            f"Se le invitó a usar el portal de clientes en nombre de {company}.\n"
            f"Para activar su cuenta y elegir su contraseña abra este enlace:\n{link}\n\n"
            f"El enlace vence en {_duration(ttl_seconds)[0]}.\n\n"
            "---\n\n"
            f"Hello {name},\n\n"
            f"You have been invited to use the customer portal on behalf of {company}.\n"
            "Open the link above to activate your account and choose your password. "
            f"It expires in {_duration(ttl_seconds)[1]}.\n"
        ),
    )


def invitation_to_address_in_use(company: str) -> MailMessage:
    """To the owner of an address some company's admin invited though it already has an account.

    Says who tried and what to do, nothing more: no link, nothing about the account, nor the
    name or roles the admin typed.
    """
    return MailMessage(
        subject="Intento de invitación al portal de clientes / Invitation attempt to the customer portal",
        text=(
            "Hola:\n\n"
            f"Un administrador de {company} intentó invitar esta dirección de correo al portal de clientes. "
            "La dirección ya tiene una cuenta en el portal, así que no se creó una segunda cuenta "
            "y su cuenta no cambió.\n\n"
            f"Si usted debe usar el portal también para {company}, pídales que inviten otra de sus "
            "direcciones de correo. Si no esperaba este mensaje o tiene dudas, comuníquese con el servicio "
            "a clientes de su proveedor.\n\n"
            "---\n\n"
            "Hello,\n\n"
            f"An administrator of {company} tried to invite this e-mail address to the customer portal. "
            "The address already has an account in the portal, so no second account was made "
            "and your account did not change.\n\n"
            f"If you are to use the portal for {company} too, ask them to invite another of your "
            "e-mail addresses. If you did not expect this message or have questions, contact your "
            "vendor's customer service.\n"
        ),
    )


def activation(link: str, company: str, rfc: str, ttl_seconds: int) -> MailMessage:
    return MailMessage(
        subject=f"Active la cuenta de {company} en el portal de clientes / Activate your portal account",
        text=(
            "Hola:\n\n"
            f"La cuenta principal de {company} (RFC {rfc}) en el portal de clientes está lista.\n"
            f"Para activarla y elegir su contraseña abra este enlace:\n{link}\n\n"
            f"Su usuario es su RFC: {rfc}. El enlace vence en {_duration(ttl_seconds)[0]}.\n\n"
            "---\n\n"
            "Hello,\n\n"
            f"The main customer portal account of {company} (RFC {rfc}) is ready.\n"
            "Open the link above to activate it and choose your password. "
            f"Your user name is your RFC: {rfc}. The link expires in {_duration(ttl_seconds)[1]}.\n"
        ),
    )
