"""Real HTTP servers standing in for the services, on 127.0.0.1 and a free port each."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from decimal import Decimal

from portal_shared.auth import InvalidToken, StaticKeySource, TokenVerifier
from portal_shared.auth.roles import STAFF_ROLES
from portal_shared.errors import flat_field_errors
from portal_shared.web.problems import problem_document
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CUSTOMER_ID = "cust-1"
RFC = "CME850101AB1"


class StandIn:
    """Serves a WSGI app in a thread until stop()."""

    def __init__(self, app: Callable):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # shutdown() waits for the serving loop to look at its flag: at the default half second
        # that wait, paid by every test's stand-ins, was most of the suite's time.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Echo:
    """Answers 200 with what it received; remembers every request."""

    def __init__(self, service: str, *, release: threading.Event | None = None, gather: int = 0,
                 gather_wait: float = 30.0):
        self.service = service
        # With a release event each request is held until the test sets it: a slow service whose
        # slowness does not depend on how fast the machine is.
        self.release = release
        # With gather=N each request is held until N are inside at once (or gather_wait passes):
        # proof, independent of the machine's speed, that a caller sent them concurrently.
        self.gather = gather
        self.gather_wait = gather_wait
        self.most_at_once = 0
        self._inside = 0
        self.received: list[dict] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    def __call__(self, environ, start_response):
        request = Request(environ)
        seen = {
            "service": self.service,
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode(),
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "body": request.get_data().decode("utf-8", "replace"),
        }
        with self._lock:
            self.received.append(seen)
        if self.release is not None:
            self.release.wait(timeout=60)
        if self.gather:
            self._hold_until_gathered()
        response = Response(json.dumps(seen), status=200, mimetype="application/json")
        # Hop-by-hop headers a proxy must not pass on to its client.
        response.headers["Keep-Alive"] = "timeout=99"
        response.headers["Proxy-Authenticate"] = "Basic"
        response.headers["X-From-Service"] = self.service
        return response(environ, start_response)


    def _hold_until_gathered(self) -> None:
        with self._arrived:
            self._inside += 1
            self.most_at_once = max(self.most_at_once, self._inside)
            self._arrived.notify_all()
            self._arrived.wait_for(lambda: self.most_at_once >= self.gather, timeout=self.gather_wait)
            self._inside -= 1


def json_app(routes: dict[tuple[str, str], Callable[[Request], Response]]) -> Callable:
    """A tiny app from a {(method, path): handler} dict; anything else is 404."""

    def app(environ, start_response):
        request = Request(environ)
        handler = routes.get((request.method, request.path))
        response = handler(request) if handler else Response("{}", status=404, mimetype="application/json")
        return response(environ, start_response)

    return app


def json_response(body: dict | None, status: int = 200, headers: dict | None = None) -> Response:
    mimetype = "application/problem+json" if status >= 400 else "application/json"
    data = "" if body is None else json.dumps(body)
    return Response(data, status=status, mimetype=mimetype, headers=headers)


class FakeIdentity:
    """identity-service as docs/api.md describes it, for the routes the UI uses."""

    # The customer directory staff read (GET /api/v1/customers, /customers/{id}): the company of
    # the customer users' tokens, and the other customer agents name in the pages' tests.
    CUSTOMERS = {
        CUSTOMER_ID: {"id": CUSTOMER_ID, "rfc": RFC, "name": "Copias del Centro SA de CV",
                      "system_account_number": "SYS-77120", "account_numbers": ["005300", "005301"]},
        "cust-2": {"id": "cust-2", "rfc": "OTR900101AB2", "name": "Otra Empresa SA de CV",
                   "system_account_number": "SYS-99001", "account_numbers": ["009900"]},
    }

    def __init__(self, tokens):
        self.tokens = tokens
        self.verifier = TokenVerifier(StaticKeySource(tokens.signer.jwks()))
        self.calls: list[tuple[str, dict]] = []
        self.refresh_tokens = {"r-valid"}
        self.roles = ["admin", "billing"]

    def _record(self, request):
        body = request.get_json(silent=True) or {}
        self.calls.append((request.path, body))
        return body

    def _pair(self):
        refresh = f"r-{len(self.calls)}"
        self.refresh_tokens.add(refresh)
        # Staff belong to no customer, as identity issues their tokens.
        customer = None if set(self.roles) <= STAFF_ROLES else CUSTOMER_ID
        access = self.tokens.signer.issue(user_id="u1", customer_id=customer, roles=self.roles, username="ana")
        return {"access_token": access, "token_type": "Bearer", "expires_in": 600, "refresh_token": refresh,
                "must_change_password": False}

    def login(self, request):
        body = self._record(request)
        if body.get("username") == RFC and body.get("password") == RFC:
            return json_response({"access_token": self.tokens.activation(), "token_type": "Bearer",
                                  "expires_in": 600, "refresh_token": None, "must_change_password": True})
        if body.get("username") == "ana" and body.get("password") == "right":
            return json_response(self._pair())
        if body.get("username") == "expired-password" and body.get("password") == "right":
            return json_response({**self._pair(), "must_change_password": True})
        if body.get("username") == "locked":
            # As identity's locked(60) answers: the wait in Retry-After and in the document.
            return problem(429, "Too many attempts", "Too many failed attempts. Try again in 60 seconds.",
                           code="identity.locked", headers={"Retry-After": "60"}, retry_after=60)
        return problem(401, "Invalid credentials", "The user name or password is not correct.",
                       code="identity.invalid_credentials")

    def first_login(self, request):
        body = self._record(request)
        principal = self.verifier.verify(request.headers["Authorization"].split()[1])
        assert principal.token_type == "activation"
        if "@" not in body.get("email", ""):
            # marshmallow's Email field refusing it: a plain validation failure naming the field.
            return invalid({"email": ["Not a valid email address."]})
        return json_response(self._pair())

    def refresh(self, request):
        body = self._record(request)
        if body.get("refresh_token") not in self.refresh_tokens:
            return problem(401, "Invalid refresh token",
                           "The refresh token is invalid, expired or was revoked. Sign in again.",
                           code="identity.refresh_token_invalid")
        self.refresh_tokens.discard(body["refresh_token"])
        return json_response(self._pair())

    def logout(self, request):
        self._record(request)
        return json_response(None, 204)

    def reset(self, request):
        body = self._record(request)
        if body.get("token") != "good-token":
            # As identity's invalid_link() answers: the message is the token's, a field the form keeps hidden.
            return problem(400, "Invalid or expired link", "This link is not valid any more. Ask for a new one.",
                           {"token": ["The link is invalid or no longer applies."]},
                           code="identity.invalid_link")
        return json_response(None, 204)

    def me(self, request):
        self._record(request)
        principal = self.verifier.verify(request.headers["Authorization"].split()[1])
        return json_response({
            "id": principal.user_id, "username": "ana", "email": "ana@example.mx", "email_verified": True,
            "name": "Ana Pérez", "roles": sorted(principal.roles),
            "customer": None if principal.customer_id is None else {
                "id": CUSTOMER_ID, "rfc": RFC, "name": "Copias del Centro SA de CV",
                "system_account_number": "SYS-77120", "account_numbers": ["005300", "005301"]},
        })

    def customers(self, request):
        self._record(request)
        _principal, refused = authorize(self.verifier, request, frozenset({"agent", "operator"}))
        if refused:
            return refused
        return json_response({"items": sorted(self.CUSTOMERS.values(), key=lambda c: c["name"])})

    def customer(self, request, id):
        self._record(request)
        _principal, refused = authorize(self.verifier, request, frozenset({"agent", "operator"}))
        if refused:
            return refused
        found = self.CUSTOMERS.get(id)
        return json_response(found) if found else problem(404, "Customer not found", "No such customer.",
                                                          code="identity.customer_not_found")

    def app(self):
        accounts = json_app({
            ("POST", "/api/v1/auth/login"): self.login,
            ("POST", "/api/v1/auth/first-login"): self.first_login,
            ("POST", "/api/v1/auth/refresh"): self.refresh,
            ("POST", "/api/v1/auth/logout"): self.logout,
            ("POST", "/api/v1/auth/reset"): self.reset,
            ("GET", "/api/v1/me"): self.me,
        })
        directory = routed_app([("GET", "/api/v1/customers", self.customers),
                                ("GET", "/api/v1/customers/{id}", self.customer)])

        def app(environ, start_response):
            target = directory if environ.get("PATH_INFO", "").startswith("/api/v1/customers") else accounts
            return target(environ, start_response)

        return app

    def paths(self):
        return [path for path, _ in self.calls]


def routed_app(routes: list[tuple[str, str, Callable[..., Response]]]) -> Callable:
    """Like json_app, with path patterns: {name} matches one segment and is passed by name."""
    compiled = [(method, re.compile("^" + re.sub(r"\\{([a-z_]+)\\}", r"(?P<\1>[^/]+)", re.escape(pattern)) + "$"),
                 handler) for method, pattern, handler in routes]

    def app(environ, start_response):
        request = Request(environ)
        for method, regex, handler in compiled:
            match = regex.match(request.path)
            if method == request.method and match:
                response = handler(request, **match.groupdict())
                break
        else:
            # As the services' Flask apps answer a route they do not have.
            response = problem(404, "Not Found", "The requested URL was not found on the server. If you entered "
                                                 "the URL manually please check your spelling and try again.")
        return response(environ, start_response)

    return app


# The common code of each status, for stand-in refusals that do not name their own.
_STATUS_CODES = {400: "request.malformed", 401: "auth.required", 403: "auth.forbidden", 404: "request.not_found",
                 409: "request.conflict", 422: "request.invalid", 503: "request.refused"}


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None,
            *, code: str | None = None, headers: dict | None = None, **extensions) -> Response:
    """A refusal in the services' one shape: a code, field errors by dotted path and each one's
    code (field_codes, as portal_shared.web.problems derives them, or given as field_codes=)."""
    return json_response(problem_document(status, title, detail, code=code or _STATUS_CODES.get(status, "request.refused"),
                                          errors=flat_field_errors(errors) if errors else None, **extensions), status,
                         headers)


def invalid(errors: dict, detail: str | None = None, **extensions) -> Response:
    """The 422 the services answer for a body or query they refuse, naming the fields
    (portal_shared.errors.invalid): request.invalid, or the service's own code=."""
    flat = flat_field_errors(errors)
    return problem(422, "Validation failed", detail or f"Invalid or missing: {', '.join(sorted(flat))}.", flat,
                   **extensions)


def authorize(verifier: TokenVerifier, request: Request, allowed: set[str] | frozenset[str] | None = None):
    """(principal, None), or (None, the 401 or 403 problem): what every service checks first.
    allowed None: any role."""
    _scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        principal = verifier.verify(token)
    except InvalidToken:
        return None, problem(401, "Unauthorized")
    if allowed is not None and not principal.roles & allowed:
        return None, problem(403, "Forbidden", "Your role does not allow this.")
    return principal, None


READERS = {"admin", "billing", "agent"}


class ScopedService:
    """What the services do first: record the call, verify the token, check the role, pick the customer."""

    def __init__(self, tokens):
        self.verifier = TokenVerifier(StaticKeySource(tokens.signer.jwks()))
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def record(self, request: Request) -> None:
        with self._lock:
            self.calls.append({"method": request.method, "path": request.path, "args": dict(request.args),
                               "headers": {k.lower(): v for k, v in request.headers.items()},
                               "body": request.get_json(silent=True)})

    def principal(self, request: Request, allowed: set[str] | None = None):
        """(principal, None), or (None, the problem to answer)."""
        self.record(request)
        return authorize(self.verifier, request, allowed)

    def scope(self, request: Request, allowed: set[str]) -> tuple[str | None, Response | None]:
        """(customer id, None), or (None, the problem to answer)."""
        principal, refused = self.principal(request, allowed)
        if refused:
            return None, refused
        if principal.is_staff:
            if not request.args.get("customer_id"):
                return None, problem(422, "Validation failed", errors={"customer_id": ["Missing data for required field."]})
            return request.args["customer_id"], None
        if request.args.get("customer_id") not in (None, principal.customer_id):
            return None, problem(403, "Forbidden", "You can only see your own company's data.")
        return principal.customer_id, None

    def paths(self) -> list[str]:
        return [call["path"] for call in self.calls]


def _page(items: list, request: Request) -> dict:
    page = int(request.args.get("page", 1))
    size = int(request.args.get("page_size", 50))
    return {"items": items[(page - 1) * size:page * size], "page": page, "page_size": size, "total": len(items)}


PDF_BYTES = b"%PDF-1.4\n" + b"% statement 171001\n" * 6000 + b"%%EOF\n"  # > 64 KiB: streamed in chunks
CFDI_UUID = "5FB2822E-396D-4725-8521-CDC4BDD20CCF"
CFDI_XML = (f'<?xml version="1.0" encoding="UTF-8"?><cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" '
            f'Version="4.0"><!-- {CFDI_UUID} --></cfdi:Comprobante>').encode()


REP_UUID = "9D3A1C55-0B7E-4F0A-8C3B-6B7D2E1F4A90"
REP_XML = (f'<?xml version="1.0" encoding="UTF-8"?><cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" '
           f'Version="4.0" TipoDeComprobante="P"><!-- {REP_UUID} --></cfdi:Comprobante>').encode()
ZIP_BYTES = b"PK\x03\x04" + b"cfdi" * 20_000  # > 64 KiB: streamed in chunks


def invoice(id, number, account, currency, amount, pending, in_transit="0.00", overdue=False, rate=None):
    status = "paid" if pending == "0.00" else "open"
    item = {"id": id, "invoice_number": number, "account_number": account, "issue_date": "2026-10-01",
            "due_date": "2026-10-31", "currency": currency, "amount": amount, "pending_amount": pending,
            "in_transit_amount": in_transit, "status": status, "fiscal_folio": f"FOLIO-{number}", "overdue": overdue}
    if currency == "USD":
        item["exchange_rate"] = rate
    return item


class FakeBilling(ScopedService):
    """billing-service as docs/api.md describes it, for the routes the UI reads."""

    RATE = {"date": "2026-11-20", "rate": "17.2345"}

    def __init__(self, tokens):
        super().__init__(tokens)
        self.invoices = {
            CUSTOMER_ID: [
                invoice("inv-1", "F-1001", "005300", "MXN", "11600.00", "11600.00", overdue=True),
                invoice("inv-2", "F-1002", "005301", "USD", "1000.00", "400.00", rate="17.2345"),
                invoice("inv-3", "F-1003", "005300", "MXN", "500.00", "500.00", in_transit="500.00"),
                invoice("inv-4", "F-0999", "005300", "MXN", "800.00", "0.00"),
            ],
            "cust-2": [invoice("inv-9", "F-9001", "009900", "MXN", "99.00", "99.00")],
        }
        # Invoices imported with their CFDI: id -> the XML and the PDF billing answers.
        self.cfdis = {"inv-1": (CFDI_XML, PDF_BYTES)}
        # Payment receipts (REP) by payment id, each with its customer; a test adds them.
        self.receipts: dict[str, dict] = {}
        # The payment ids each receipts list was asked for (repeated parameters, all kept).
        self.receipts_asked: list[list[str]] = []
        self.statements = {
            CUSTOMER_ID: [
                {"id": "170905", "account_number": "005300", "period": "2026-09", "issued_at": "2026-10-01T12:00:00Z"},
                {"id": "171001", "account_number": "005300", "period": "2026-10", "issued_at": "2026-11-01T12:00:00Z"},
            ],
        }

    def list_invoices(self, request):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        items = [{**i, "has_cfdi": i["id"] in self.cfdis} for i in self.invoices.get(customer, [])
                 if request.args.get("status") in (None, i["status"])
                 and request.args.get("account") in (None, i["account_number"])]
        return json_response(_page(items, request))

    def invoice_cfdi(self, request, id, kind):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        if id not in {i["id"] for i in self.invoices.get(customer, [])}:
            return problem(404, "Not found", "No such invoice.", code="billing.invoice_not_found")
        if id not in self.cfdis:
            return problem(404, "No CFDI for this invoice", "This invoice has no CFDI.", code="billing.cfdi_not_found")
        xml, pdf = self.cfdis[id]
        return Response(xml if kind == "xml" else pdf, mimetype=f"application/{kind}",
                        headers={"Content-Disposition": f'attachment; filename="{CFDI_UUID}.{kind}"'})

    def balances(self, request):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        items = []
        for i in self.invoices.get(customer, []):
            if i["status"] != "open" or request.args.get("account") not in (None, i["account_number"]):
                continue
            rate = Decimal(i.get("exchange_rate") or 1)
            items.append({**i, "amount_mxn": f"{Decimal(i['amount']) * rate:.2f}",
                          "pending_mxn": f"{Decimal(i['pending_amount']) * rate:.2f}"})

        def total(currency, field):
            return f"{sum(Decimal(i[field]) for i in items if i['currency'] == currency):.2f}"

        totals = {"MXN": {"pending": total("MXN", "pending_amount"), "in_transit": total("MXN", "in_transit_amount")},
                  "USD": {"pending": total("USD", "pending_amount"), "in_transit": total("USD", "in_transit_amount"),
                          "pending_mxn": total("USD", "pending_mxn")}}
        totals["overall_pending_mxn"] = f"{Decimal(totals['MXN']['pending']) + Decimal(totals['USD']['pending_mxn']):.2f}"
        return json_response({**_page(items, request), "totals": totals, "rate": self.RATE})

    def list_statements(self, request):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        items = sorted(self.statements.get(customer, []), key=lambda s: s["period"], reverse=True)
        return json_response({"items": items})

    def statement_pdf(self, request, id):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        if id not in {s["id"] for s in self.statements.get(customer, [])}:
            return problem(404, "Not found", "No such statement.", code="billing.statement_not_found")
        return Response(PDF_BYTES, mimetype="application/pdf")

    def list_receipts(self, request):
        principal, refused = self.principal(request, READERS | {"operator"})
        if refused:
            return refused
        customer = request.args.get("customer_id") if principal.is_staff else principal.customer_id
        wanted = request.args.getlist("payment_id")
        self.receipts_asked.append(wanted)
        items = [{k: v for k, v in r.items() if k != "customer"} for r in self.receipts.values()
                 if customer in (None, r["customer"]) and (not wanted or r["payment_id"] in wanted)
                 and (request.args.get("unstamped") != "true" or r["status"] != "stamped")]
        return json_response(_page(items, request))

    def receipt_document(self, request, id, kind):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        receipt = self.receipts.get(id)
        if receipt is None or receipt["customer"] != customer:
            return problem(404, "No payment receipt", "No receipt for this payment.", code="billing.receipt_not_found")
        if receipt["status"] != "stamped":
            return problem(409, "Payment receipt not stamped yet", code="billing.receipt_not_stamped")
        return Response(REP_XML if kind == "xml" else PDF_BYTES, mimetype=f"application/{kind}",
                        headers={"Content-Disposition": f'attachment; filename="REP-{REP_UUID}.{kind}"'})

    def month_of_cfdis(self, request):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", request.args.get("month", "")):
            return problem(422, "Validation failed", errors={"month": ["Not a valid month."]})
        mine = {i["id"] for i in self.invoices.get(customer, []) if i["issue_date"].startswith(request.args["month"])}
        if not mine & set(self.cfdis):
            return problem(404, "No CFDI in this month", code="billing.no_cfdis_in_month")
        return Response(ZIP_BYTES, mimetype="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="CFDI-{request.args["month"]}.zip"'})

    def app(self):
        return routed_app([
            ("GET", "/api/v1/invoices/cfdi.zip", self.month_of_cfdis),
            ("GET", "/api/v1/payment-receipts", self.list_receipts),
            ("GET", "/api/v1/payment-receipts/{id}.{kind}", self.receipt_document),
            ("GET", "/api/v1/invoices", self.list_invoices),
            ("GET", "/api/v1/balances", self.balances),
            ("GET", "/api/v1/statements", self.list_statements),
            ("GET", "/api/v1/statements/{id}/pdf", self.statement_pdf),
            ("GET", "/api/v1/invoices/{id}/cfdi.{kind}", self.invoice_cfdi),
        ])


class FakePayment(ScopedService):
    """payment-service as docs/api.md describes it: payments with an Idempotency-Key, their status, history."""

    def __init__(self, tokens, billing: FakeBilling):
        super().__init__(tokens)
        self.billing = billing
        self.payments: dict[str, dict] = {}
        self.by_key: dict[str, tuple[dict, dict]] = {}
        # payment id -> statuses to answer in turn (the last one stays): the bank's answer arriving.
        self.script: dict[str, list[str]] = {}
        # Payments the bank has paid although payment-service still thinks them pending.
        self.paid_at_bank: set[str] = set()
        # What billing counts in transit from the start was started before the test: a pending
        # payment holds it, as payment-service would list it.
        self.earlier = [
            {"id": f"earlier-{i['id']}", "reference": f"EARLIER-{i['invoice_number']}", "status": "pending",
             "bank": "citibanamex", "bank_reference": None, "currency": "MXN", "total": i["in_transit_amount"],
             "created_at": "2026-11-21T15:00:00Z", "confirmed_at": None, "failure_reason": None,
             "items": [{"invoice_id": i["id"], "invoice_number": i["invoice_number"], "currency": i["currency"],
                        "amount": i["in_transit_amount"], "amount_mxn": i["in_transit_amount"]}],
             "customer": customer}
            for customer, invoices in billing.invoices.items() for i in invoices if Decimal(i["in_transit_amount"]) > 0]

    def _invoice(self, customer, invoice_id):
        return next((i for i in self.billing.invoices.get(customer, []) if i["id"] == invoice_id), None)

    def create(self, request):
        customer, refused = self.scope(request, {"admin", "billing"})
        if refused:
            return refused
        body = request.get_json()
        # The body's schema first (webargs, before the view), then the key.
        if body.get("bank") not in ("citibanamex", "bbva"):
            return invalid({"bank": ["Must be one of: citibanamex, bbva."]})
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > 200:
            return invalid({"Idempotency-Key": ["Required, 1 to 200 characters."]},
                           code="payment.idempotency_key_required")
        if key in self.by_key:
            sent, answer = self.by_key[key]
            if sent != body:
                return problem(422, "Validation failed",
                               "This Idempotency-Key was already used with a different request body.",
                               {"Idempotency-Key": ["Already used with a different request body."]},
                               code="payment.idempotency_key_reused")
            return json_response(answer, 200)
        requested = body.get("items") or []
        # payment-service's rules, in its order: every unknown invoice, then every item's own
        # rule, then every invoice already in a payment in transit.
        found = [self._invoice(customer, item["invoice_id"]) for item in requested]
        missing = {f"items.{n}.invoice_id": ["No such invoice."] for n, hit in enumerate(found) if hit is None}
        if missing:
            return problem(404, "Not found", "An invoice of the payment does not exist.", missing,
                           code="payment.invoice_unknown")
        above = {f"items.{n}.amount": [f"Exceeds the pending amount {hit['pending_amount']} {hit['currency']}."]
                 for n, (item, hit) in enumerate(zip(requested, found))
                 if Decimal(item["amount"]) > Decimal(hit["pending_amount"])}
        if above:
            return problem(422, "Validation failed", f"Invalid payment items: {', '.join(sorted(above))}.", above,
                           code="payment.amount_above_pending")
        in_transit = {f"items.{n}.invoice_id": ["Another payment of this invoice is in transit."]
                      for n, hit in enumerate(found) if Decimal(hit["in_transit_amount"]) > 0}
        if in_transit:
            return problem(409, "Payment in transit", "An invoice of the payment already has a payment in transit.",
                           in_transit, code="payment.invoice_in_transit")
        items = []
        for item, found_invoice in zip(requested, found):
            rate = Decimal(found_invoice.get("exchange_rate") or 1)
            items.append({"invoice_id": found_invoice["id"], "invoice_number": found_invoice["invoice_number"],
                          "currency": found_invoice["currency"], "amount": item["amount"],
                          "amount_mxn": f"{Decimal(item['amount']) * rate:.2f}",
                          "exchange_rate": found_invoice.get("exchange_rate")})
        number = len(self.payments) + 1
        payment = {"id": f"pay-{number}", "reference": f"REF{number:06d}", "status": "pending",
                   "bank": body["bank"], "bank_reference": None, "currency": "MXN",
                   "total": f"{sum(Decimal(i['amount_mxn']) for i in items):.2f}", "items": items,
                   "created_at": "2026-11-22T14:00:00Z", "confirmed_at": None, "failure_reason": None,
                   "customer": customer}
        self.payments[payment["id"]] = payment
        answer = {k: payment[k] for k in ("id", "reference", "status", "total", "currency", "items")}
        answer["redirect_url"] = f"http://bank.example/pay/bp-{number}"
        self.by_key[key] = (body, answer)
        return json_response(answer, 201)

    def _scoped(self, request, id):
        customer, refused = self.scope(request, READERS)
        if refused:
            return None, refused
        payment = self.payments.get(id)
        if payment is None or payment["customer"] != customer:
            return None, problem(404, "Not found", "No such payment.", code="payment.not_found")
        return payment, None

    def get(self, request, id):
        """Reading never changes a payment."""
        payment, refused = self._scoped(request, id)
        if refused:
            return refused
        return json_response({k: v for k, v in payment.items() if k != "customer"})

    def check_status(self, request, id):
        """The bank's next scripted answer settles the payment, as payment-service's status check does."""
        payment, refused = self._scoped(request, id)
        if refused:
            return refused
        script = self.script.get(id)
        if script:
            status = script.pop(0) if len(script) > 1 else script[0]
            payment["status"] = status
            if status == "confirmed":
                payment.update(bank_reference="BC-Banamex 063197", confirmed_at="2026-11-22T14:03:00Z")
            elif status == "failed":
                payment.update(failure_reason="declined")
        return json_response({k: v for k, v in payment.items() if k != "customer"})

    def in_transit(self, request):
        customer, refused = self.scope(request, {"admin", "billing"})
        if refused:
            return refused
        return json_response({"items": [{k: v for k, v in p.items() if k != "customer"}
                                        for p in [*self.earlier, *self.payments.values()]
                                        if p["customer"] == customer and p["status"] == "pending"]})

    def cancel(self, request, id):
        """As payment-service: the bank's answer decides; cancelling a cancelled payment is its answer."""
        customer, refused = self.scope(request, {"admin", "billing"})
        if refused:
            return refused
        payment = self.payments.get(id)
        if payment is None or payment["customer"] != customer:
            return problem(404, "Not found", "No such payment.", code="payment.not_found")
        if payment["status"] == "failed" and payment["failure_reason"] == "cancelled":
            return json_response({k: v for k, v in payment.items() if k != "customer"})
        if payment["status"] != "pending":
            return problem(409, "Payment not pending", f"The payment is {payment['status']}; only a pending payment "
                           "can be cancelled.", code="payment.not_pending")
        if id in self.paid_at_bank:
            payment.update(status="confirmed", bank_reference="BBVA-MP 000042", confirmed_at="2026-11-22T14:05:00Z")
            return problem(409, "Paid at the bank", "The bank had already paid this payment; it is confirmed, not "
                           "cancelled.", code="payment.paid_at_bank", payment_status="confirmed")
        payment.update(status="failed", failure_reason="cancelled")
        return json_response({k: v for k, v in payment.items() if k != "customer"})

    def history(self, request):
        customer, refused = self.scope(request, READERS)
        if refused:
            return refused
        items = [{"id": p["id"], "paid_at": p["confirmed_at"], "reference": p["reference"],
                  "bank_reference": p["bank_reference"], "total": p["total"], "currency": "MXN",
                  "invoices": [{"invoice_number": i["invoice_number"], "amount": i["amount"], "currency": i["currency"]}
                               for i in p["items"]]}
                 for p in self.payments.values() if p["customer"] == customer and p["status"] == "confirmed"]
        return json_response(_page(items, request))

    def app(self):
        return routed_app([
            ("POST", "/api/v1/payments", self.create),
            ("GET", "/api/v1/payments", self.history),
            ("GET", "/api/v1/payments/in-transit", self.in_transit),
            ("GET", "/api/v1/payments/{id}", self.get),
            ("POST", "/api/v1/payments/{id}/status-check", self.check_status),
            ("POST", "/api/v1/payments/{id}/cancel", self.cancel),
        ])
