"""A month of CFDIs as one ZIP: each invoice's XML as kept, and its printed PDF, named by invoice
number and folio fiscal. The same CFDIs give the same bytes (entries in order, dated by the stamp)."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from billing_service.adapters.cfdi import read_cfdi
from billing_service.domain.cfdi import Cfdi


@dataclass(frozen=True)
class ArchivedCfdi:
    invoice_number: str
    fiscal_folio: str
    xml: bytes


def _safe(name: str) -> str:
    """An invoice number as a file name: no path separators or other surprises inside the ZIP."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def cfdi_archive(cfdis: Iterable[ArchivedCfdi], render_pdf: Callable[[Cfdi], bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in sorted(cfdis, key=lambda e: (e.invoice_number, e.fiscal_folio)):
            cfdi = read_cfdi(entry.xml)
            moment = (cfdi.stamp.stamped_at if cfdi.stamp else cfdi.issued_at).timetuple()[:6]
            stem = f"{_safe(entry.invoice_number)}_{entry.fiscal_folio.upper()}"
            for name, data in ((f"{stem}.xml", entry.xml), (f"{stem}.pdf", render_pdf(cfdi))):
                info = zipfile.ZipInfo(name, date_time=moment)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    return buffer.getvalue()
