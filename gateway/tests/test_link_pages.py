"""The pages of mailed links: a link that can no longer be used shows no password form but why, and
the next step (a new reset link, signing in, a new verification link); a live one shows the form."""
from __future__ import annotations

import re

import pytest

from conftest import csrf_token, sign_in, text
from standin_links import FakeLinks

PASSWORD = {"new_password": "N3w-pass!", "confirm_password": "N3w-pass!"}
IDENTITY = FakeLinks
PLAYED = ("identity",)


def has_password_form(page: str) -> bool:
    return 'name="new_password"' in page or 'name="confirm_password"' in page


def step(page: str, href: str) -> str:
    """The text of the button-styled link to `href` among the page's next steps."""
    match = re.search(rf'<p id="next-steps">.*?<a class="button[^"]*" href="{re.escape(href)}">([^<]+)</a>', page, re.S)
    assert match, f"no next step to {href}"
    return match.group(1)


def checked(identity) -> list[dict]:
    return [body for path, body in identity.calls if path == "/api/v1/auth/links/check"]


def test_a_live_reset_link_shows_the_form_after_checking_it(ui, identity):
    response = ui.get("/reset-password?token=good")
    assert response.status_code == 200 and has_password_form(text(response))
    assert checked(identity) == [{"token": "good", "purpose": "reset_password"}]
    # Looking is all the check did: the link is used only by the form's post.
    assert "/api/v1/auth/reset" not in identity.paths()


@pytest.mark.parametrize("token, sentence", [
    ("used", "Este enlace ya se usó. Si necesita elegir otra contraseña, pida un enlace nuevo."),
    ("expired", "Este enlace venció: los enlaces para elegir una contraseña nueva funcionan por tiempo limitado. "
                "Pida uno nuevo."),
    ("superseded", "Le enviamos un enlace más reciente: use el del último correo o pida uno nuevo."),
    ("unknown", "Este enlace no es válido o ya no aplica. Pida uno nuevo."),
])
def test_a_dead_reset_link_says_why_and_offers_a_new_one(ui, identity, token, sentence):
    response = ui.get(f"/reset-password?token={token}")
    page = text(response)
    assert response.status_code == 400
    assert not has_password_form(page)
    assert re.search(rf'id="link-ended">{re.escape(sentence)}</p>', page)
    assert step(page, "/recover") == "Pedir un enlace nuevo"
    # identity's English words are for API clients, not the page.
    assert "Ask for a new one if you need it" not in page and "The link" not in page


def test_a_reset_link_that_dies_while_the_form_is_open_says_so(ui, identity):
    identity.dies.add("good")
    page = text(ui.get("/reset-password?token=good"))
    assert has_password_form(page)
    response = ui.post("/reset-password", data={"csrf_token": csrf_token(page), "token": "good", **PASSWORD})
    refused = text(response)
    assert response.status_code == 400 and not has_password_form(refused)
    assert "Le enviamos un enlace más reciente: use el del último correo o pida uno nuevo." in refused
    assert step(refused, "/recover") == "Pedir un enlace nuevo"


def test_a_live_activation_link_shows_the_form(ui, identity):
    response = ui.get("/activate?token=good")
    assert response.status_code == 200 and has_password_form(text(response))
    assert checked(identity) == [{"token": "good", "purpose": "activation"}]
    done = ui.post("/activate", data={"csrf_token": csrf_token(text(response)), "token": "good", **PASSWORD})
    assert done.headers["Location"] == "/login"


@pytest.mark.parametrize("token", ["used", "active"])
def test_an_activation_link_of_an_active_account_leads_to_signing_in(ui, identity, token):
    response = ui.get(f"/activate?token={token}")
    page = text(response)
    assert response.status_code == 400 and not has_password_form(page)
    assert "Su cuenta ya está activa. Inicie sesión con su contraseña." in page
    assert step(page, "/login") == "Iniciar sesión"
    assert step(page, "/recover") == "¿Olvidó su contraseña?"


@pytest.mark.parametrize("token, sentence", [
    ("expired", "La invitación venció: pida al administrador de su empresa que lo invite de nuevo."),
    ("superseded", "Le enviamos una invitación más reciente: use el enlace del último correo de invitación."),
    ("unknown", "Este enlace de invitación no es válido o ya no aplica. "
                "Pida al administrador de su empresa que lo invite de nuevo."),
])
def test_a_dead_invitation_says_why(ui, identity, token, sentence):
    response = ui.get(f"/activate?token={token}")
    page = text(response)
    assert response.status_code == 400 and not has_password_form(page)
    assert sentence in page
    assert step(page, "/login") == "Ir a iniciar sesión"


def test_an_account_activated_while_the_form_was_open_leads_to_signing_in(ui, identity):
    page = text(ui.get("/activate?token=good"))
    identity.dies.add("good")
    # The stand-in answers a link that died meanwhile as superseded: a newer invitation came.
    response = ui.post("/activate", data={"csrf_token": csrf_token(page), "token": "good", **PASSWORD})
    assert response.status_code == 400 and not has_password_form(text(response))
    assert "Le enviamos una invitación más reciente" in text(response)


def test_a_verification_link_says_the_address_is_verified(ui, identity):
    response = ui.get("/verify-email?token=good")
    assert response.status_code == 200
    assert "Gracias. Su correo electrónico quedó verificado." in text(response)


@pytest.mark.parametrize("token, sentence", [
    ("expired", "Este enlace de verificación venció."),
    ("superseded", "Le enviamos un enlace de verificación más reciente: use el del último correo."),
])
def test_a_dead_verification_link_asks_a_signed_out_person_to_sign_in(ui, identity, token, sentence):
    response = ui.get(f"/verify-email?token={token}")
    page = text(response)
    assert response.status_code == 400
    assert sentence in page
    assert step(page, "/login") == "Inicie sesión para pedir un enlace nuevo"
    assert 'id="resend-verification"' not in page


def test_a_dead_verification_link_sends_a_new_one_to_a_signed_in_person(ui, identity):
    sign_in(ui, identity)
    identity.email_verified = False
    page = text(ui.get("/verify-email?token=expired"))
    assert "Este enlace de verificación venció." in page
    form = re.search(r'<form method="post" action="/verify-email/resend" id="resend-verification">(.*?)</form>',
                     page, re.S)
    assert form and 'name="csrf_token"' in form.group(1) and "Enviar un enlace nuevo" in form.group(1)

    sent = ui.post("/verify-email/resend", data={"csrf_token": csrf_token(page)})
    assert sent.headers["Location"] == "/"
    assert identity.resent == 1
    home = text(ui.get("/"))
    assert "Le enviamos un enlace nuevo a ana@example.mx. Ábralo para verificar su correo electrónico." in home


def test_a_new_verification_link_needs_the_forms_token(ui, identity):
    sign_in(ui, identity)
    identity.email_verified = False
    assert ui.post("/verify-email/resend").status_code == 400
    assert identity.resent == 0


def test_a_new_link_for_a_verified_address_says_it_is_verified(ui, identity):
    sign_in(ui, identity)
    page = text(ui.get("/"))
    assert ui.post("/verify-email/resend", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert identity.resent == 0
    assert "Su correo electrónico ya está verificado." in text(ui.get("/"))


def test_the_home_page_offers_a_new_link_for_an_unverified_address(ui, identity):
    sign_in(ui, identity)
    assert 'id="verify-notice"' not in text(ui.get("/"))
    identity.email_verified = False
    home = text(ui.get("/"))
    notice = re.search(r'<section class="card" id="verify-notice".*?</section>', home, re.S)
    assert notice, "no notice about the unverified address"
    assert "Verifique su correo electrónico" in notice.group(0) and "ana@example.mx" in notice.group(0)
    assert 'action="/verify-email/resend"' in notice.group(0) and "Enviar un enlace nuevo" in notice.group(0)
    assert ui.post("/verify-email/resend", data={"csrf_token": csrf_token(home)}).headers["Location"] == "/"
    assert identity.resent == 1


def test_signed_out_a_new_link_is_asked_for_after_signing_in(ui, identity):
    response = ui.post("/verify-email/resend", data={"csrf_token": csrf_token(text(ui.get("/login")))})
    assert response.headers["Location"] == "/login"
    assert identity.resent == 0
