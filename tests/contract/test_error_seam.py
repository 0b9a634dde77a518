"""One way every service refuses: the shared handlers only, no view catching a use case's error,
and every refusal code listed in the service's OpenAPI document and in the gateway's table of
what each code means to a person, in Spanish and English."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal_shared.auth.signing import TokenSigner, generate_private_key

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "identity-service": "identity_service",
    "billing-service": "billing_service",
    "payment-service": "payment_service",
    "servicedesk-service": "servicedesk_service",
}
SHARED_HANDLERS = "portal_shared.web.problems"


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    """Each service's app as create_app builds it; nothing here opens a connection."""
    folder = tmp_path_factory.mktemp("apps")
    jwks = TokenSigner([generate_private_key()]).jwks()
    built = {}
    for package in SERVICES.values():
        config = {"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / package}.db", "JWKS": jwks,
                  "VAR_DIR": str(folder / package), "JWT_PRIVATE_KEY_PATH": str(folder / f"{package}.pem")}
        built[package] = importlib.import_module(package).create_app(config)
    return built


def _handlers(app):
    """(blueprint or None, status or None, exception class, handler) of every registered error handler."""
    for blueprint, by_status in app.error_handler_spec.items():
        for status, by_class in by_status.items():
            for exception, handler in by_class.items():
                yield blueprint, status, exception, handler


@pytest.mark.parametrize("package", SERVICES.values())
def test_every_error_handler_is_the_shared_one(apps, package):
    handlers = list(_handlers(apps[package]))
    assert handlers, "no error handler at all"
    foreign = [(blueprint, exception.__name__, f"{handler.__module__}.{handler.__qualname__}")
               for blueprint, _status, exception, handler in handlers if handler.__module__ != SHARED_HANDLERS]
    assert foreign == [], f"{package} registers error handlers of its own"
    assert {blueprint for blueprint, *_ in handlers} == {None}, "a blueprint handles errors itself"


def _views_catching(path: Path) -> list[str]:
    """Functions of an API module with a try statement: a view that translates errors itself."""
    tree = ast.parse(path.read_text(), str(path))
    return [f"{path.name}:{node.lineno} {node.name}" for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(isinstance(inner, ast.Try) for inner in ast.walk(node))]


@pytest.mark.parametrize("folder, package", SERVICES.items())
def test_no_view_catches_an_error(folder, package):
    api = ROOT / folder / "src" / package / "api"
    # Schemas may turn a ValueError into a field's message while reading a value: that is parsing.
    modules = [path for path in sorted(api.glob("*.py")) if "schema" not in path.name]
    assert modules, f"no API modules under {api}"
    catching = [found for path in modules for found in _views_catching(path)]
    assert catching == []


def _openapi_codes(app) -> dict[str, dict]:
    spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    listed = spec["x-error-codes"]
    assert set(spec["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]) == set(listed)
    return listed


@pytest.mark.parametrize("package", SERVICES.values())
def test_the_openapi_document_lists_every_code_of_the_service(apps, package):
    catalogue = importlib.import_module(f"{package}.service_layer.errors").ERRORS
    listed = _openapi_codes(apps[package])
    assert listed == {error.code: {"status": error.status, "title": error.title} for error in catalogue}
    own = [code for code in listed if code.startswith(package.split("_")[0] + ".")]
    assert own, f"{package} defines no code of its own"


def _catalog(language: str):
    from portal_gateway.i18n import PACKAGE_TRANSLATIONS

    with (PACKAGE_TRANSLATIONS / language / "LC_MESSAGES/messages.po").open("rb") as po_file:
        return read_po(po_file)


def test_the_gateway_can_say_every_code_in_spanish_and_english(apps):
    from portal_gateway.errors import GATEWAY_ERRORS
    from portal_gateway.web.refusals import REFUSALS

    codes = {error.code for error in GATEWAY_ERRORS}
    for app in apps.values():
        codes |= set(_openapi_codes(app))
    assert sorted(codes - set(REFUSALS)) == [], "codes the gateway cannot explain"
    assert sorted(set(REFUSALS) - codes) == [], "the gateway explains codes no one answers"
    spanish, english = _catalog("es"), _catalog("en")
    for code, message in REFUSALS.items():
        msgid = message._args[0]  # the lazy string's English text
        assert spanish.get(msgid) is not None and spanish.get(msgid).string, f"{code}: no Spanish for {msgid!r}"
        assert english.get(msgid) is not None, f"{code}: {msgid!r} not in the English catalog"


def test_the_gateway_can_say_every_field_code_in_spanish_and_english(apps):
    from portal_gateway.web.refusals import FIELD_MESSAGES, REFUSALS

    field_codes: set[str] = set()
    for app in apps.values():
        spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
        field_codes |= set(spec["x-field-codes"])
    assert "field.required" in field_codes and "identity.password_too_short" in field_codes
    assert sorted(field_codes - set(FIELD_MESSAGES)) == [], "field codes the gateway cannot say"
    # Besides field codes, the table holds refusals said next to their one field ("this invoice").
    assert sorted(set(FIELD_MESSAGES) - field_codes - set(REFUSALS)) == [], "field messages for no code"
    spanish, english = _catalog("es"), _catalog("en")
    for code, message in FIELD_MESSAGES.items():
        msgid = message._args[0]
        assert spanish.get(msgid) is not None and spanish.get(msgid).string, f"{code}: no Spanish for {msgid!r}"
        assert english.get(msgid) is not None, f"{code}: {msgid!r} not in the English catalog"
