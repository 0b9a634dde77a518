"""The PAC's API (stamp a sealed CFDI, fetch a stamp, the stamping certificates) and the test controls."""
from __future__ import annotations

import hmac
import uuid as uuids
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, request, url_for
from satcfdi.models import Signer

from pac_simulator import stamping
from pac_simulator.controls import DOWN, SLOW, Controls
from pac_simulator.stamping import Refusal
from pac_simulator.store import StampStore

api = Blueprint("api", __name__, url_prefix="/api/v1")
test_controls = Blueprint("test_controls", __name__, url_prefix="/test")

PROBLEM_JSON = "application/problem+json"


def store() -> StampStore:
    return current_app.extensions["pac_simulator.store"]


def controls() -> Controls:
    return current_app.extensions["pac_simulator.controls"]


def stamper() -> Signer:
    return current_app.extensions["pac_simulator.stamper"]


def problem(status: int, code: str, message: str, title: str, detail: str | None = None, **extra) -> Response:
    """One refusal shape: RFC 9457 (type, title, status, detail) plus the PAC's code and its Spanish
    message, as SAT words it."""
    body = {"type": "about:blank", "title": title, "status": status, "code": code, "message": message}
    if detail:
        body["detail"] = detail
    response = current_app.json.response({**body, **extra})
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def refused(refusal: Refusal) -> Response:
    if refusal.uuid is None:
        return problem(refusal.status, refusal.code, refusal.message, refusal.title, refusal.detail)
    response = problem(refusal.status, refusal.code, refusal.message, refusal.title, refusal.detail, uuid=refusal.uuid)
    if store().by_uuid(refusal.uuid) is not None:
        response.headers["Location"] = url_for("api.stamped", uuid=refusal.uuid)
    return response


def _authorised() -> bool:
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        return False
    config = current_app.config
    # Both compared, always: the answer's time tells nothing about which one was wrong.
    user_ok = hmac.compare_digest((credentials.username or "").encode(), config["PAC_USER"].encode())
    password_ok = hmac.compare_digest((credentials.password or "").encode(), config["PAC_PASSWORD"].encode())
    return user_ok and password_ok


@api.before_request
def require_the_contract():
    if request.endpoint == "api.certificate":
        return None  # SAT publishes its certificates to everyone
    if not _authorised():
        response = refused(Refusal("300", "HTTP Basic credentials of the PAC contract are required"))
        response.headers["WWW-Authenticate"] = 'Basic realm="pac-simulator"'
        return response
    return None


@api.post("/stamp")
def stamp():
    """Stamp a sealed CFDI 4.0 (application/xml): 200 with the stamped XML, or a problem with the
    PAC's code; 409 (307) with the UUID of the earlier stamp of the same sealed document."""
    fault = controls().take()
    if fault is not None and fault.mode == DOWN:
        response = problem(503, "503", "Servicio de timbrado no disponible, intente más tarde",
                           "The stamping service is unavailable; try again later")
        response.headers["Retry-After"] = "1"
        return response
    if fault is not None and fault.mode == SLOW:
        fault.released.wait(fault.seconds)
    try:
        record = _stamp(request.get_data())
    except Refusal as refusal:
        return refused(refusal)
    return Response(record["xml"], status=200, mimetype="application/xml",
                    headers={"Location": url_for("api.stamped", uuid=record["uuid"])})


def _stamp(xml: bytes) -> dict:
    document = stamping.read(xml)
    if earlier := stamping.earlier_stamp(document):
        raise Refusal("307", "the document already carries a TimbreFiscalDigital", uuid=earlier)
    certificate = stamping.check_seal(document)
    # A retry of what was stamped is answered before the dates: it may come after the 72 hours.
    if known := store().by_sello(document.sello):
        raise Refusal("307", "this sealed document was stamped before", uuid=known["uuid"])
    now = datetime.now(timezone.utc)
    stamping.check_dates(document, certificate, now)

    def make() -> tuple[str, bytes]:
        new_uuid = str(uuids.uuid4()).upper()
        return new_uuid, stamping.stamp(document, stamper(), uuid=new_uuid, at=now)

    record, created = store().stamp_once(sello=document.sello, issuer_rfc=document.issuer_rfc, make=make)
    if not created:  # the same document, stamped by a request that ran alongside this one
        raise Refusal("307", "this sealed document was stamped before", uuid=record["uuid"])
    return record


@api.errorhandler(413)
def too_large(_error):
    return problem(413, "301", "XML mal formado", "The document is larger than the PAC accepts",
                   f"at most {current_app.config['MAX_CONTENT_LENGTH']} bytes")


@api.get("/stamps/<uuid>")
def stamped(uuid: str):
    record = store().by_uuid(uuid)
    if record is None:
        return problem(404, "404", "UUID no encontrado", "No stamp has this UUID", uuid=uuid)
    return Response(record["xml"], status=200, mimetype="application/xml")


@api.get("/certificates/<number>")
def certificate(number: str):
    """A stamping certificate by its NoCertificadoSAT (DER), to verify SelloSAT with."""
    der = store().certificate_by_number(number)
    if der is None:
        return problem(404, "404", "Certificado no encontrado", "No certificate has this number")
    return Response(der, status=200, mimetype="application/pkix-cert")


@test_controls.get("/controls")
def show_controls():
    return {**controls().state(), "stamps": store().count()}


@test_controls.post("/controls")
def set_controls():
    """{"mode": "down"|"slow"|"normal", "requests": N (default 1), "seconds": S (slow only)}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "400", "Se requiere un objeto JSON", "A JSON object is required")
    requests_count, seconds = body.get("requests", 1), body.get("seconds")
    if not isinstance(requests_count, int) or isinstance(requests_count, bool) or (
        seconds is not None and (not isinstance(seconds, (int, float)) or isinstance(seconds, bool))
    ):
        return problem(422, "422", "Controles no válidos", "Invalid controls",
                       "requests is an integer and seconds a number")
    try:
        state = controls().set(str(body.get("mode")), requests=requests_count,
                               seconds=None if seconds is None else float(seconds))
    except ValueError as error:
        return problem(422, "422", "Controles no válidos", "Invalid controls", str(error))
    return {**state, "stamps": store().count()}
