"""The PAC (proveedor autorizado de certificación) that stamps the vendor's CFDIs, behind one
interface: stamp a sealed document, get it back with its TimbreFiscalDigital.

Spoken over HTTP as the portal's PAC contract (and its simulator) does: the sealed XML posted with
HTTP Basic credentials; 200 with the stamped XML; a problem document with SAT's code otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import requests

# SAT's code for "this document was stamped before": the PAC answers with that stamp's UUID.
ALREADY_STAMPED = "307"
# The contract's credentials were refused: a setting to mend, not the document's fault.
CREDENTIALS_REFUSED = "300"
# "Fecha fuera de rango": the document was sealed more than 72 hours before it reached the PAC.
SEALED_TOO_LONG_AGO = "401"


class PacUnavailable(Exception):
    """The PAC did not answer, or said to try later: nothing was decided, send the same again."""


class PacRefused(Exception):
    """The PAC refused the document for good, with SAT's code and its message."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Pac(Protocol):
    def stamp(self, sealed_xml: bytes) -> bytes:
        """The document stamped, or PacUnavailable / PacRefused."""


@dataclass(frozen=True)
class HttpPac:
    url: str
    user: str
    password: str
    timeout_seconds: float = 30.0

    def stamp(self, sealed_xml: bytes) -> bytes:
        answer = self._call("POST", "/api/v1/stamp", data=sealed_xml, headers={"Content-Type": "application/xml"})
        if answer.status_code == 200:
            return answer.content
        code, message, earlier = self._problem(answer)
        if code == ALREADY_STAMPED and earlier:
            # Stamped before (a retry after a lost answer): the same stamp, fetched, is the answer.
            again = self._call("GET", f"/api/v1/stamps/{quote(earlier)}")
            if again.status_code == 200:
                return again.content
            raise PacUnavailable(f"the PAC did not return its stamp {earlier} (HTTP {again.status_code})")
        if code == CREDENTIALS_REFUSED:
            raise PacUnavailable(f"the PAC refused the contract's credentials (PAC_USER, PAC_PASSWORD): {message}")
        raise PacRefused(code, message)

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            answer = requests.request(method, self.url.rstrip("/") + path, auth=(self.user, self.password),
                                      timeout=self.timeout_seconds, **kwargs)
        except requests.RequestException as error:
            raise PacUnavailable(f"the PAC did not answer: {type(error).__name__}") from None
        if answer.status_code >= 500 or answer.status_code == 429:
            raise PacUnavailable(f"the PAC answered HTTP {answer.status_code}")
        return answer

    @staticmethod
    def _problem(answer: requests.Response) -> tuple[str, str, str | None]:
        try:
            body = answer.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return str(answer.status_code), f"HTTP {answer.status_code} without a problem document", None
        return (str(body.get("code") or answer.status_code), str(body.get("message") or body.get("title") or ""),
                body.get("uuid"))
