"""The web UI against a stand-in identity-service speaking the contract in docs/api.md."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from conftest import CUSTOMER_ID, csrf_token, stopped_url
from standins import RFC

PLAYED = ("identity",)


def submit_login(ui, username="ana", password="right"):
    """The login form as a user fills it in; the answer is the test's to judge."""
    token = csrf_token(ui.get("/login").get_data(as_text=True))
    return ui.post("/login", data={"csrf_token": token, "username": username, "password": password})


def test_forms_refuse_posts_without_csrf_token(ui, identity):
    assert ui.post("/login", data={"username": "ana", "password": "right"}).status_code == 400
    assert ui.post("/recover", data={"email": "a@b.mx"}).status_code == 400
    assert ui.post("/logout").status_code in (302, 400)
    assert identity.calls == [], "a form without CSRF token reached identity"


def test_spanish_by_default_english_on_request_and_remembered(ui):
    page = ui.get("/login").get_data(as_text=True)
    assert 'lang="es"' in page and "Iniciar sesión" in page
    english = ui.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Sign in" in english and "Iniciar sesión" not in english
    assert "Forgot your password?" in ui.get("/login").get_data(as_text=True)


def test_spanish_stays_the_default_whatever_the_browser_language(ui):
    page = ui.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(as_text=True)
    assert 'lang="es"' in page and "Iniciar sesión" in page


def test_sign_in_sets_an_httponly_samesite_cookie_and_shows_who_you_are(ui, identity):
    response = submit_login(ui)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # SESSION_COOKIE_SECURE defaults off for local http

    home = ui.get("/?lang=en")
    page = home.get_data(as_text=True)
    assert home.status_code == 200
    for shown in ("Ana Pérez", "ana@example.mx", RFC, "Copias del Centro SA de CV", "SYS-77120", "005300", "005301",
                  "Administrator", "Billing"):
        assert shown in page, shown
    # Only pages that exist are offered: staff-only API documents not for a customer admin.
    assert "Change password" in page and "API documents" not in page


def test_secure_cookie_when_configured(make_gateway, urls):
    ui = make_gateway(urls, SESSION_COOKIE_SECURE=True).test_client()
    assert "Secure" in submit_login(ui).headers["Set-Cookie"]


def test_staff_see_the_api_documents_entry(ui, identity):
    identity.roles = ["operator"]
    submit_login(ui)
    assert "API documents" in ui.get("/?lang=en").get_data(as_text=True)


def test_wrong_password_shows_identitys_message_on_the_form(ui):
    response = submit_login(ui, password="wrong")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # identity.invalid_credentials, said in the page's language; identity's English is for API clients.
    assert "El usuario o la contraseña no son correctos." in page
    assert "The user name or password is not correct." not in page
    assert "Set-Cookie" not in response.headers or "portal_session=;" not in response.headers["Set-Cookie"]


def test_lockout_says_when_to_try_again(ui):
    page = submit_login(ui, username="locked", password="x").get_data(as_text=True)
    assert "Demasiados intentos. Inténtelo de nuevo en 60 segundos." in page
    assert "Too many failed attempts" not in page


def test_rfc_first_sign_in_forces_email_and_new_password(ui, identity):
    response = submit_login(ui, username=RFC, password=RFC)
    assert response.headers["Location"] == "/first-login"
    assert ui.get("/").headers["Location"] == "/first-login"

    form = ui.get("/first-login?lang=en").get_data(as_text=True)
    token = csrf_token(form)
    bad = ui.post("/first-login", data={"csrf_token": token, "email": "nope", "new_password": "Nuev4-Clave!",
                                        "confirm_password": "Nuev4-Clave!"})
    assert bad.status_code == 400
    # identity's field.invalid_email, in the language the form was shown in (English here).
    refused = bad.get_data(as_text=True)
    assert "Enter a valid e-mail address, such as nombre@empresa.mx." in refused
    assert "Not a valid email address." not in refused

    good = ui.post("/first-login", data={"csrf_token": token, "email": "ana@example.mx",
                                         "new_password": "Nuev4-Clave!", "confirm_password": "Nuev4-Clave!"})
    assert good.headers["Location"] == "/"
    assert ui.get("/").status_code == 200


def test_mismatched_passwords_never_reach_identity(ui, identity):
    submit_login(ui, username=RFC, password=RFC)
    token = csrf_token(ui.get("/first-login").get_data(as_text=True))
    response = ui.post("/first-login", data={"csrf_token": token, "email": "ana@example.mx",
                                             "new_password": "a-1", "confirm_password": "b-2"})
    assert response.status_code == 400
    assert "/api/v1/auth/first-login" not in identity.paths()


def test_expired_access_token_is_refreshed(ui, identity, tokens):
    submit_login(ui)
    expired = tokens.signer.issue(user_id="u1", customer_id=CUSTOMER_ID, roles=["admin"],
                                  now=datetime.now(timezone.utc) - timedelta(hours=1))
    with ui.session_transaction() as session:
        session["access_token"] = expired
        session["refresh_token"] = "r-valid"
    assert ui.get("/").status_code == 200
    assert ("/api/v1/auth/refresh", {"refresh_token": "r-valid"}) in identity.calls
    with ui.session_transaction() as session:
        assert session["access_token"] != expired


def test_failed_refresh_sends_you_to_sign_in(ui, tokens):
    expired = tokens.signer.issue(user_id="u1", customer_id=CUSTOMER_ID, roles=["admin"],
                                  now=datetime.now(timezone.utc) - timedelta(hours=1))
    with ui.session_transaction() as session:
        session["access_token"] = expired
        session["refresh_token"] = "revoked"
    assert ui.get("/").headers["Location"] == "/login"
    # Signed out elsewhere, disabled, reset: the sign-in page says why it is shown.
    assert "Su sesión terminó. Inicie sesión de nuevo." in ui.get("/login").get_data(as_text=True)


def test_logout_revokes_at_identity_and_clears_the_session(ui, identity):
    submit_login(ui)
    with ui.session_transaction() as session:
        refresh_token = session["refresh_token"]
    token = csrf_token(ui.get("/").get_data(as_text=True))
    response = ui.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert ("/api/v1/auth/logout", {"refresh_token": refresh_token}) in identity.calls
    assert ui.get("/").headers["Location"] == "/login"


def test_reset_link_keeps_its_token_and_shows_identitys_error(ui, identity):
    # This stand-in has no link check (as an identity older than the gateway): the form is shown.
    page = ui.get("/reset-password?token=stale-token").get_data(as_text=True)
    assert 'value="stale-token"' in page
    assert "token=stale-token" in page  # the language switch keeps the link's token
    response = ui.post("/reset-password", data={"csrf_token": csrf_token(page), "token": "stale-token",
                                               "new_password": "N3w-pass!", "confirm_password": "N3w-pass!"})
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    # The dead link's reason (identity.invalid_link) replaces the form, once, with the next step;
    # identity's English detail and field message are not shown.
    link = "Este enlace no es válido o ya no aplica. Pida uno nuevo."
    assert re.search(rf'id="link-ended">{re.escape(link)}</p>', refused)
    assert refused.count(link) == 1
    assert 'name="new_password"' not in refused and 'href="/recover"' in refused
    assert "This link is not valid any more" not in refused and "no longer applies." not in refused

    page = ui.get("/reset-password?token=good-token").get_data(as_text=True)
    done = ui.post("/reset-password", data={"csrf_token": csrf_token(page), "token": "good-token",
                                           "new_password": "N3w-pass!", "confirm_password": "N3w-pass!"})
    assert done.headers["Location"] == "/login"


def test_identity_down_is_a_clear_page_not_a_crash(make_gateway, urls):
    ui = make_gateway({**urls, "identity": stopped_url()}).test_client()
    response = submit_login(ui)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "El inicio de sesión no está disponible en este momento." in page
    assert "identity-service is unavailable" not in page  # the developer's text is for the log


def test_a_password_marked_for_change_leads_to_the_change_form(ui):
    response = submit_login(ui, username="expired-password", password="right")
    assert response.headers["Location"] == "/password"
    assert "Elija una nueva contraseña" in ui.get("/password").get_data(as_text=True)
