"""Configuration defaults and the wiring of the console scripts and gunicorn (no servers needed)."""
from __future__ import annotations

from importlib.metadata import entry_points

from payment_service.adapters.banks import build_banks
from payment_service.config import Config
from payment_service.entrypoints.reconcile import main as reconcile_main
from payment_service.service_layer.subscriptions import HANDLERS
from portal_shared.banks import BANKS
from portal_shared.contracts import SCHEMAS
from portal_shared.testing.checks import WiringChecks, run_console_script


class TestWiring(WiringChecks):
    """portal_shared's checks, on payment-service's Config, console scripts and gunicorn_conf."""


def test_every_subscription_has_a_published_schema():
    assert set(HANDLERS) == {
        ("identity.access.revoked", 1),
        ("billing.account.opened", 1),
        ("billing.invoice.issued", 1),
        ("billing.invoice.balance_changed", 1),
        ("billing.exchange_rate.set", 1),
    }
    assert set(HANDLERS) <= set(SCHEMAS)


def test_mailer_drains_the_mail_channel(monkeypatch, tmp_path, service_under_test):
    kwargs = run_console_script(monkeypatch, tmp_path, service_under_test, "mailer", runs="run_relay")
    assert kwargs["channel"] == "mail"
    assert kwargs["outbox_table"] is service_under_test.outbox_table


def test_relay_drains_the_events_channel(monkeypatch, tmp_path, service_under_test):
    kwargs = run_console_script(monkeypatch, tmp_path, service_under_test, "relay", runs="run_relay")
    assert kwargs["channel"] == "events"


def test_reconcile_console_script_resolves():
    (entry_point,) = entry_points(group="console_scripts", name="payment-reconcile")
    assert entry_point.load() is reconcile_main


def test_bank_settings_defaults(monkeypatch):
    for name in ("CITIBANAMEX_URL", "BBVA_URL", "CITIBANAMEX_SECRET", "BBVA_SECRET", "PORTAL_BASE_URL",
                 "PAYMENT_CALLBACK_BASE_URL", "RECONCILE_INTERVAL_SECONDS", "RECONCILE_AFTER_SECONDS",
                 "PAYMENT_EXPIRE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    config = Config()
    assert (config.CITIBANAMEX_URL, config.BBVA_URL) == ("http://127.0.0.1:8101", "http://127.0.0.1:8102")
    assert (config.CITIBANAMEX_SECRET, config.BBVA_SECRET) == ("dev-citibanamex-secret", "dev-bbva-secret")
    assert config.PAYMENT_CALLBACK_BASE_URL == config.PORTAL_BASE_URL == "http://127.0.0.1:8000"
    assert (config.RECONCILE_INTERVAL_SECONDS, config.RECONCILE_AFTER_SECONDS, config.PAYMENT_EXPIRE_SECONDS) == (
        30.0, 120, 1800,
    )
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example.mx/")
    assert Config().PAYMENT_CALLBACK_BASE_URL == "https://portal.example.mx"


def test_there_is_an_adapter_for_every_bank_the_portal_offers_and_no_other():
    assert set(build_banks(vars(Config()))) == set(BANKS)
