"""User administration pages against stand-ins playing identity (users) and servicedesk (devices)."""
from __future__ import annotations

import re

import pytest

from conftest import csrf_token, field_errors, serve, sign_in, stopped_url, text
from standin_users import (
    ADMIN_ID,
    BILLING_ID,
    DEVICE_ADMIN_ID,
    FOREIGN_ID,
    OTHER_DEVICE_ADMIN_ID,
    FakeDevices,
    FakeUsers,
)


@pytest.fixture
def identity(tokens):
    yield from serve(FakeUsers(tokens))


@pytest.fixture
def devices(tokens, identity):
    yield from serve(FakeDevices(tokens, identity.users))


@pytest.fixture
def urls(urls, identity, devices):
    return {**urls, "identity": identity.url, "servicedesk": devices.url}


def test_admin_sees_the_users_with_roles_and_status(ui, identity):
    sign_in(ui, identity)
    response = ui.get("/users")
    page = text(response)
    assert response.status_code == 200
    assert 'href="/users"' in page and "Usuarios" in page
    table = page[page.index('id="users-table"'):page.index("</table>")]
    for shown in ("Ana Pérez", "Beto Ruiz", "Carla Díaz", "beto@example.mx", "Administrador",
                  "Administrador de equipos", "Facturación", "Invitación enviada", "Activo"):
        assert shown in table, shown
    # Only the admin's own company: the other customer's user is never listed.
    assert "Otro Cliente" not in page
    assert 'id="invite-form"' in page
    for role in ("admin", "billing", "device_admin", "stock_admin", "stock_device_admin", "knowledge_user"):
        assert f'value="{role}"' in page
    assert 'value="agent"' not in page and 'value="operator"' not in page
    assert identity.calls_to("GET")[-1]["args"] == {}


@pytest.mark.parametrize("role", ["billing", "device_admin", "stock_admin", "stock_device_admin",
                                  "knowledge_user", "agent", "operator"])
def test_other_roles_have_no_users_entry_and_are_refused(ui, identity, role):
    sign_in(ui, identity, [role])
    home = text(ui.get("/"))
    assert 'href="/users"' not in home
    for path in ("/users", f"/users/{DEVICE_ADMIN_ID}", f"/users/{DEVICE_ADMIN_ID}/disable"):
        response = ui.get(path)
        assert response.status_code == 403, path
        assert "Su rol no da acceso a esta página." in text(response)
    token = csrf_token(home)
    assert ui.post("/users", data={"csrf_token": token, "email": "x@example.mx", "name": "X",
                                   "roles": ["billing"]}).status_code == 403
    assert ui.post(f"/users/{DEVICE_ADMIN_ID}/devices", data={"csrf_token": token}).status_code == 403
    assert identity.user_calls == []


def test_invite_posts_the_json_identity_expects(ui, identity):
    sign_in(ui, identity)
    token = csrf_token(text(ui.get("/users")))
    response = ui.post("/users", data={"csrf_token": token, "email": " eva@example.mx ", "name": "Eva Soto",
                                       "roles": ["stock_admin", "knowledge_user"]})
    assert response.status_code == 302 and response.headers["Location"] == "/users"
    assert identity.calls_to("POST") == [{"method": "POST", "path": "/api/v1/users", "args": {},
                                          "body": {"email": "eva@example.mx", "name": "Eva Soto",
                                                   "roles": ["stock_admin", "knowledge_user"]}}]
    page = text(ui.get("/users"))
    assert "Enviamos un correo a eva@example.mx: la invitación o" in page and "Eva Soto" in page


SENT = "Enviamos un correo a {}: la invitación o, si la dirección ya tiene una cuenta del portal, un aviso a su titular."


def test_invite_says_the_same_whether_or_not_the_address_has_an_account(ui, identity):
    sign_in(ui, identity)
    token = csrf_token(text(ui.get("/users")))
    # New, another company's user's, one of the admin's own (typed as people type them).
    for typed, address in (("Eva@Example.mx", "eva@example.mx"), ("otro@example.mx", "otro@example.mx"),
                           ("Beto@example.mx", "beto@example.mx")):
        response = ui.post("/users", data={"csrf_token": token, "email": typed, "name": "Eva Soto",
                                           "roles": ["billing"]})
        assert response.status_code == 302 and response.headers["Location"] == "/users", typed
        page = text(ui.get("/users"))
        # The address as identity normalized it, which is where the mail went.
        assert SENT.format(address) in page, typed
        assert "Already in use." not in page
    assert len(identity.calls_to("POST")) == 3 and len(identity.users) == 6


def test_invite_message_in_english(ui, identity):
    sign_in(ui, identity)
    token = csrf_token(text(ui.get("/users?lang=en")))
    ui.post("/users", data={"csrf_token": token, "email": "beto@example.mx", "name": "Beto", "roles": ["billing"]})
    assert ("We sent an e-mail to beto@example.mx: the invitation or, if the address already has a portal "
            "account, a notice to its owner.") in text(ui.get("/users"))


def test_invite_without_csrf_is_refused_and_sends_nothing(ui, identity):
    sign_in(ui, identity)
    response = ui.post("/users", data={"email": "eva@example.mx", "name": "Eva Soto", "roles": ["billing"]})
    assert response.status_code == 400
    assert identity.calls_to("POST") == []


def test_invite_shows_identity_validation_errors_next_to_the_fields(ui, identity):
    sign_in(ui, identity)
    token = csrf_token(text(ui.get("/users")))
    response = ui.post("/users", data={"csrf_token": token, "email": "not-an-address", "name": "Eva Soto",
                                       "roles": ["billing"]})
    page = text(response)
    assert response.status_code == 400
    # identity's field.invalid_email, in the page's language; identity's English is not shown.
    assert "Escriba un correo electrónico válido, como nombre@empresa.mx." in field_errors(page, "email")
    assert "Not a valid email address." not in page
    assert 'value="not-an-address"' in page  # what was typed stays in the form
    assert len(identity.calls_to("POST")) == 1 and len(identity.users) == 5


def test_invite_without_a_role_is_stopped_before_identity(ui, identity):
    sign_in(ui, identity)
    token = csrf_token(text(ui.get("/users")))
    response = ui.post("/users", data={"csrf_token": token, "email": "eva@example.mx", "name": "Eva Soto"})
    assert response.status_code == 400
    assert "Elija al menos un rol." in field_errors(text(response), "roles")
    assert identity.calls_to("POST") == []


def test_change_name_and_roles(ui, identity):
    sign_in(ui, identity)
    page = text(ui.get(f"/users/{BILLING_ID}"))
    assert 'id="user-form"' in page and "Carla Díaz" in page
    assert re.search(r'value="billing"[^>]*checked|checked[^>]*value="billing"', page)
    response = ui.post(f"/users/{BILLING_ID}", data={"csrf_token": csrf_token(page), "name": "Carla Díaz Ruiz",
                                                     "roles": ["billing", "stock_admin"]})
    assert response.status_code == 302 and response.headers["Location"] == f"/users/{BILLING_ID}"
    assert identity.calls_to("PATCH")[-1]["body"] == {"name": "Carla Díaz Ruiz", "roles": ["billing", "stock_admin"]}
    assert identity.users[BILLING_ID]["roles"] == ["billing", "stock_admin"]


def test_the_last_admin_keeps_the_role_and_the_page_says_why(ui, identity):
    sign_in(ui, identity)
    page = text(ui.get(f"/users/{ADMIN_ID}"))
    response = ui.post(f"/users/{ADMIN_ID}", data={"csrf_token": csrf_token(page), "name": "Ana Pérez",
                                                   "roles": ["billing"]})
    assert response.status_code == 400
    refused = text(response)
    # identity.last_admin, said next to the roles it is about (and not again above the form).
    assert "Una empresa debe conservar al menos un administrador." in field_errors(refused, "roles")
    assert refused.count("Una empresa debe conservar al menos un administrador.") == 1
    assert "last active admin" not in refused and "keeps at least one admin" not in refused
    assert identity.users[ADMIN_ID]["roles"] == ["admin"]
    # Nobody disables their own account from here.
    assert 'id="disable-link"' not in page


def test_disable_asks_for_confirmation_then_disables(ui, identity):
    sign_in(ui, identity)
    user_page = text(ui.get(f"/users/{BILLING_ID}"))
    assert f'href="/users/{BILLING_ID}/disable"' in user_page
    confirm = ui.get(f"/users/{BILLING_ID}/disable")
    assert confirm.status_code == 200
    assert "¿Desactivar a Carla Díaz?" in text(confirm)
    assert identity.calls_to("DELETE") == [] and identity.users[BILLING_ID]["status"] == "pending_activation"

    assert ui.post(f"/users/{BILLING_ID}/disable").status_code == 400  # no CSRF token
    assert identity.calls_to("DELETE") == []
    done = ui.post(f"/users/{BILLING_ID}/disable", data={"csrf_token": csrf_token(text(confirm))})
    assert done.status_code == 302 and done.headers["Location"] == "/users"
    assert identity.users[BILLING_ID]["status"] == "disabled"
    assert "Carla Díaz ya no podrá iniciar sesión." in text(ui.get("/users"))


def test_identity_refusing_to_disable_is_shown_on_the_confirmation(ui, identity):
    sign_in(ui, identity)
    confirm = text(ui.get(f"/users/{ADMIN_ID}/disable"))
    response = ui.post(f"/users/{ADMIN_ID}/disable", data={"csrf_token": csrf_token(confirm)})
    assert response.status_code == 400
    # identity.cannot_disable_self, in the page's language.
    assert "No puede desactivar su propia cuenta." in text(response)
    assert "You cannot disable your own account." not in text(response)
    assert identity.users[ADMIN_ID]["status"] == "active"


def test_another_companys_user_is_not_found(ui, identity):
    sign_in(ui, identity)
    for path in (f"/users/{FOREIGN_ID}", f"/users/{FOREIGN_ID}/disable", "/users/no-such-user", "/users/bad%20id"):
        response = ui.get(path)
        assert response.status_code == 404, path
        assert "Otro Cliente" not in text(response)
    token = csrf_token(text(ui.get("/users")))
    assert ui.post(f"/users/{FOREIGN_ID}", data={"csrf_token": token, "name": "X", "roles": ["admin"]}).status_code == 404
    assert identity.calls_to("PATCH") == []


def _ticks(page: str) -> dict[str, bool]:
    return {match.group(1): "checked" in match.group(2)
            for match in re.finditer(r'name="device" value="([^"]+)" id="device-[^"]+"([^>]*)>', page)}


def test_device_admin_assignment_shows_the_current_ticks(ui, identity, devices):
    sign_in(ui, identity)
    page = text(ui.get(f"/users/{DEVICE_ADMIN_ID}"))
    assert 'id="assignment-form"' in page
    assert _ticks(page) == {"dev-1": True, "dev-2": False, "dev-3": True}
    assert "SN-9009" not in page  # the other customer's device
    # A user who holds no device role is not offered devices at all.
    billing_page = text(ui.get(f"/users/{BILLING_ID}"))
    assert 'id="assignment-form"' not in billing_page


def test_saving_assignments_replaces_only_the_changed_devices_lists(ui, identity, devices):
    sign_in(ui, identity)
    page = text(ui.get(f"/users/{DEVICE_ADMIN_ID}"))
    # Untick dev-3, tick dev-2, leave dev-1 as it was.
    response = ui.post(f"/users/{DEVICE_ADMIN_ID}/devices", data={
        "csrf_token": csrf_token(page), "shown": ["dev-1", "dev-2", "dev-3"], "device": ["dev-1", "dev-2"]})
    assert response.status_code == 302 and response.headers["Location"] == f"/users/{DEVICE_ADMIN_ID}"
    puts = {call["path"]: call["body"] for call in devices.puts()}
    assert puts == {
        # The other device admin already on dev-2 and dev-3 stays there.
        "/api/v1/devices/dev-2/assignees": {"user_ids": sorted([DEVICE_ADMIN_ID, OTHER_DEVICE_ADMIN_ID])},
        "/api/v1/devices/dev-3/assignees": {"user_ids": [OTHER_DEVICE_ADMIN_ID]},
    }
    assert all(call["headers"]["authorization"].startswith("Bearer ") for call in devices.puts())
    again = text(ui.get(f"/users/{DEVICE_ADMIN_ID}"))
    assert _ticks(again) == {"dev-1": True, "dev-2": True, "dev-3": False}
    assert "Se guardaron las asignaciones de equipos." in again


def test_devices_the_page_did_not_show_are_left_alone(ui, identity, devices):
    sign_in(ui, identity)
    page = text(ui.get(f"/users/{DEVICE_ADMIN_ID}"))
    # dev-3 was not on the page this form came from: its untick says nothing about it.
    response = ui.post(f"/users/{DEVICE_ADMIN_ID}/devices", data={
        "csrf_token": csrf_token(page), "shown": ["dev-1"], "device": ["dev-1", "dev-9"]})
    assert response.status_code == 302
    assert devices.puts() == []
    assert devices.devices["dev-3"]["assignees"] == [DEVICE_ADMIN_ID, OTHER_DEVICE_ADMIN_ID]


def test_assignment_without_csrf_is_refused(ui, identity, devices):
    sign_in(ui, identity)
    response = ui.post(f"/users/{DEVICE_ADMIN_ID}/devices", data={"shown": ["dev-2"], "device": ["dev-2"]})
    assert response.status_code == 400
    assert devices.puts() == []


def test_servicedesk_refusing_an_assignee_is_shown(ui, identity, devices):
    sign_in(ui, identity)
    page = text(ui.get(f"/users/{DEVICE_ADMIN_ID}"))
    # servicedesk's copy of the user says billing (an event it has, or not yet): it refuses.
    devices.users = {**identity.users, DEVICE_ADMIN_ID: {**identity.users[DEVICE_ADMIN_ID], "roles": ["billing"]}}
    response = ui.post(f"/users/{DEVICE_ADMIN_ID}/devices", data={
        "csrf_token": csrf_token(page), "shown": ["dev-1", "dev-2", "dev-3"], "device": ["dev-1", "dev-2", "dev-3"]})
    assert response.status_code == 400
    refused = text(response)
    # servicedesk.assignee_not_device_admin, after the device it refused.
    assert "SN-1002: Esta persona no administra equipos." in refused
    assert "is not a device admin" not in refused
    assert devices.devices["dev-2"]["assignees"] == [OTHER_DEVICE_ADMIN_ID]


@pytest.fixture
def blind(tokens, identity):
    """A servicedesk whose devices do not say who they are assigned to."""
    yield from serve(FakeDevices(tokens, identity.users, with_assignees=False))


def test_without_assignees_in_the_device_json_nothing_is_offered_or_changed(make_gateway, urls, identity, blind):
    ui = make_gateway({**urls, "servicedesk": blind.url}).test_client()
    sign_in(ui, identity)
    page = text(ui.get(f"/users/{DEVICE_ADMIN_ID}"))
    assert 'id="assignment-form"' not in page
    assert "La mesa de servicio no indica a quién están asignados los equipos" in page
    response = ui.post(f"/users/{DEVICE_ADMIN_ID}/devices", data={
        "csrf_token": csrf_token(page), "shown": ["dev-2"], "device": ["dev-2"]})
    assert response.status_code == 502
    assert blind.puts() == []


def test_servicedesk_down_leaves_the_user_page_and_names_the_service(make_gateway, urls, identity):
    ui = make_gateway({**urls, "servicedesk": stopped_url()}).test_client()
    sign_in(ui, identity)
    response = ui.get(f"/users/{DEVICE_ADMIN_ID}")
    page = text(response)
    assert response.status_code == 200 and 'id="user-form"' in page
    assert "La mesa de servicio no está disponible en este momento." in page and 'id="assignment-form"' not in page
    token = csrf_token(page)
    down = ui.post(f"/users/{DEVICE_ADMIN_ID}/devices", data={"csrf_token": token, "shown": ["dev-1"]})
    assert down.status_code == 503
    assert "La mesa de servicio no está disponible en este momento." in text(down)
    assert "servicedesk-service" not in text(down)  # the developer's text is for the log


def test_identity_failing_answers_503_naming_user_administration(ui, identity):
    sign_in(ui, identity)
    identity.down = True
    response = ui.get("/users")
    assert response.status_code == 503
    page = text(response)
    assert "La administración de usuarios no está disponible" in page
    assert "An unexpected error occurred." not in page  # identity's English is for the log
