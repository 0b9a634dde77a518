"""The deployment's brand opening each statement: its name, its logo and its colour from billing's
own settings, and a brand that could not be shown stopping billing's processes at start."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.colors import HexColor
from reportlab.lib.rl_accel import fp_str

from billing_service.adapters.orm import Statement
from billing_service.config import Config
from billing_service.domain.calendar import Period
from billing_service.service_layer.context import build_context
from billing_service.service_layer.statements import state_period
from portal_shared.brand import BrandConfigError


def png(path: Path, size=(60, 20)) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#ffffff").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def invoiced(new_customer, row, import_invoices, last_month):
    """A customer with one invoice last month, whose statement the tests render."""
    customer = new_customer()
    account = customer["account_numbers"][0]
    import_invoices([row(account, issue_date=last_month.first_day.isoformat(), due_date=last_month.end.isoformat(),
                         amount="120.00")], customer["customer_id"])
    return customer


def statement_pdf(session_factory, customer, period: str, **brand) -> bytes:
    """The customer's statement of `period` as billing renders it with these brand settings (rolled back)."""
    context = build_context({**Config().as_dict(), **brand}, session_factory)
    session = session_factory()
    try:
        state_period(context, session, Period.parse(period), customer_id=customer["customer_id"])
        (pdf,) = session.scalars(sa.select(Statement.pdf).where(Statement.customer_id == customer["customer_id"])).all()
        return pdf
    finally:
        session.rollback()
        session.close()


def first_page(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).pages[0]


def fill_operator(color: str) -> bytes:
    """How reportlab sets this fill colour in a page's content."""
    return f"{fp_str(*HexColor(color).rgb())} rg".encode()


def test_without_a_brand_a_statement_opens_with_the_portals_name_and_red(session_factory, invoiced, last_month):
    page = first_page(statement_pdf(session_factory, invoiced, str(last_month)))

    assert page.extract_text().splitlines()[0] == "Portal de Clientes / Customer Portal"
    assert fill_operator("#cc0000") in page.get_contents().get_data()
    assert list(page.images) == []


def test_a_configured_brand_opens_the_statement_with_its_name_logo_and_colour(session_factory, invoiced, last_month,
                                                                             tmp_path):
    logo = png(tmp_path / "logo.png")

    pdf = statement_pdf(session_factory, invoiced, str(last_month), BRAND_NAME="Copiadoras del Valle",
                        BRAND_LOGO_PATH=str(logo), BRAND_PRIMARY_COLOR="#0B5394")

    page = first_page(pdf)
    text = page.extract_text()
    assert text.splitlines()[0] == "Copiadoras del Valle"
    assert "Customer Portal" not in text and "Estado de cuenta / Statement of account" in text
    assert fill_operator("#0b5394") in page.get_contents().get_data()
    (image,) = page.images
    assert image.image.size == (60, 20)


def test_a_jpeg_logo_is_drawn_too(session_factory, invoiced, last_month, tmp_path):
    logo = tmp_path / "logo.jpg"
    Image.new("RGB", (30, 30), "#0b5394").save(logo, "JPEG")

    page = first_page(statement_pdf(session_factory, invoiced, str(last_month), BRAND_LOGO_PATH=str(logo)))

    assert len(page.images) == 1


@pytest.mark.parametrize("settings, refusal", [
    ({"BRAND_PRIMARY_COLOR": "blue"}, r"^BRAND_PRIMARY_COLOR must be a colour written as #rrggbb"),
    ({"BRAND_PRIMARY_COLOR": "#ffcc00"}, r"^BRAND_PRIMARY_COLOR #ffcc00: white text on it has a contrast ratio of 1\.51:1"),
    ({"BRAND_LOGO_PATH": "{dir}/logo.svg"}, r"^BRAND_LOGO_PATH: .*logo\.svg is not an image this service can use \(PNG or JPEG\)"),
    ({"BRAND_LOGO_PATH": "{dir}/broken.png"}, r"^BRAND_LOGO_PATH: the file starts like a PNG or JPEG image but cannot be read"),
])
def test_a_brand_the_statements_cannot_show_is_refused_when_billing_starts(session_factory, tmp_path, settings, refusal):
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    settings = {name: value.format(dir=tmp_path) for name, value in settings.items()}

    with pytest.raises(BrandConfigError, match=refusal):
        build_context({**Config().as_dict(), **settings}, session_factory)


def test_the_statements_command_stops_on_a_colour_white_text_cannot_be_read_on(database_url, last_month):
    script = Path(sys.executable).parent / "billing-statements"
    env = {**os.environ, "DATABASE_URL": database_url, "BRAND_PRIMARY_COLOR": "#ffcc00"}

    done = subprocess.run([str(script), "--period", str(last_month)], env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode != 0
    assert "BRAND_PRIMARY_COLOR #ffcc00: white text on it has a contrast ratio of 1.51:1" in done.stderr
