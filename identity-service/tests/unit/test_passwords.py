"""The password policy: one clear message per broken rule."""
from __future__ import annotations

import pytest

from identity_service.domain.passwords import common_passwords, password_problems

RFC = "CDM850101AB1"


def problems(password, forbidden=(RFC, "ana@demo.mx")):
    return [problem.message for problem in password_problems(password, forbidden=list(forbidden))]


def test_each_broken_rule_carries_its_code():
    assert [problem.code for problem in password_problems("corto", forbidden=[RFC])] == ["identity.password_too_short"]
    assert [problem.code for problem in password_problems(f"{RFC}-largo", forbidden=[RFC])] == [
        "identity.password_contains_identifier"]


def test_a_good_password_passes():
    assert problems("Vaca-Roja-Salta-42") == []
    assert problems("x" * 128) == []


@pytest.mark.parametrize("password", ["corto1", "123456789"])
def test_too_short(password):
    assert any("at least 10" in message for message in problems(password))


def test_too_long():
    assert problems("x" * 129) == ["Use at most 128 characters."]


@pytest.mark.parametrize("password", [RFC, RFC.lower(), "ANA@DEMO.MX"])
def test_equal_to_rfc_or_username(password):
    assert "The password must not be your RFC or user name." in problems(password)


@pytest.mark.parametrize("password", [f"mi{RFC.lower()}!", "clave-ana@demo.mx"])
def test_containing_rfc_or_username(password):
    assert "The password must not contain your RFC or user name." in problems(password)


@pytest.mark.parametrize("password", ["password123", "Contraseña123", "TEQUIEROMUCHO", "1234567890", "qwertyuiop"])
def test_common_passwords_are_refused(password):
    assert any("too common" in message for message in problems(password))


def test_the_list_is_shipped_and_large_enough():
    listed = common_passwords()
    assert len(listed) >= 300
    assert {"contraseña", "teamo", "123456", "password"} <= listed


def test_several_rules_are_reported_together():
    assert len(problems("teamo")) == 2


def test_empty_forbidden_values_are_ignored():
    assert problems("Vaca-Roja-Salta-42", forbidden=("", None)) == []
