"""identity-service's mailed links as it answers them (docs/api.md): the link check, reset,
activation, verification and a new verification link, each token standing for one state."""
from __future__ import annotations

import json

from standins import FakeIdentity, authorize, json_app, json_response, problem

# Token -> identity's refusal of it, as status, code, title and detail; a token not here is good.
DEAD = {
    "used": (400, "identity.link_used", "Link already used",
             "This link was already used. Ask for a new one if you need it."),
    "superseded": (400, "identity.link_superseded", "Link replaced by a newer one",
                   "A newer link was sent. Use the link in the latest message."),
    "expired": (400, "identity.link_expired", "Link expired", "This link has expired. Ask for a new one."),
    "unknown": (400, "identity.invalid_link", "Invalid or expired link",
                "This link is not valid any more. Ask for a new one."),
    "active": (409, "identity.already_activated", "Account already activated",
               "This account is already activated: sign in with your password."),
}
TOKEN_MESSAGES = {
    "identity.link_used": "The link was already used.",
    "identity.link_superseded": "A newer link replaced this one.",
    "identity.link_expired": "The link has expired.",
    "identity.invalid_link": "The link is invalid or no longer applies.",
}


class FakeLinks(FakeIdentity):
    """Besides FakeIdentity's sign-in: tokens named after their state (DEAD); `dies` lets a token
    die between the page's check and the form's post; `email_verified` is what /me says."""

    def __init__(self, tokens):
        super().__init__(tokens)
        self.dies: set[str] = set()
        self.email_verified = True
        self.resent = 0

    def _refusal(self, token: str, *, checking: bool):
        if token in self.dies and not checking:
            token = "superseded"
        if token not in DEAD:
            return None
        status, code, title, detail = DEAD[token]
        errors = {"token": [TOKEN_MESSAGES[code]]} if code in TOKEN_MESSAGES else None
        return problem(status, title, detail, errors, code=code)

    def check(self, request):
        body = self._record(request)
        assert body["purpose"] in ("reset_password", "activation", "verify_email")
        return self._refusal(body["token"], checking=True) or json_response(None, 204)

    def use(self, request):
        body = self._record(request)
        return self._refusal(body["token"], checking=False) or json_response(None, 204)

    def resend(self, request):
        self._record(request)
        _principal, refused = authorize(self.verifier, request)
        if refused:
            return refused
        if self.email_verified:
            return problem(409, "E-mail already verified", "Your e-mail address is already verified.",
                           code="identity.email_already_verified")
        self.resent += 1
        return json_response(None, 204)

    def me(self, request):
        body = json.loads(super().me(request).get_data(as_text=True))
        return json_response({**body, "email_verified": self.email_verified})

    def app(self):
        links = json_app({
            ("POST", "/api/v1/auth/links/check"): self.check,
            ("POST", "/api/v1/auth/reset"): self.use,
            ("POST", "/api/v1/auth/activate"): self.use,
            ("POST", "/api/v1/auth/verify-email"): self.use,
            ("POST", "/api/v1/auth/verify-email/resend"): self.resend,
            ("GET", "/api/v1/me"): self.me,
        })
        rest = super().app()
        ours = {"/api/v1/auth/links/check", "/api/v1/auth/reset", "/api/v1/auth/activate", "/api/v1/auth/verify-email",
                "/api/v1/auth/verify-email/resend", "/api/v1/me"}

        def app(environ, start_response):
            target = links if environ.get("PATH_INFO", "") in ours else rest
            return target(environ, start_response)

        return app
