"""How directory entries are normalised."""
from servicedesk_service.domain.directory import normalize_rfc, normalize_roles


def test_roles_once_each_in_stable_order():
    assert normalize_roles(["stock_admin", "admin", " admin ", ""]) == ["admin", "stock_admin"]


def test_rfc_upper_case_without_blanks():
    assert normalize_rfc(" cme850101ab1 ") == "CME850101AB1"
