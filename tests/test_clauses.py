"""Every clause the product claims to keep is proved by at least one marked test."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from groupket.core.clauses import CLAUSES, KEPT, marked_tests

TESTS_DIR = Path(settings.BASE_DIR) / "tests"


def test_every_kept_clause_has_a_marked_test() -> None:
    proofs = marked_tests(TESTS_DIR)
    assert sorted(KEPT - proofs.keys()) == []


def test_markers_name_only_real_clauses() -> None:
    assert sorted(marked_tests(TESTS_DIR).keys() - CLAUSES.keys()) == []


def test_clauses_command_lists_each_clause_with_its_tests() -> None:
    out = StringIO()
    call_command("clauses", stdout=out)
    text = out.getvalue()
    assert all(clause_id in text for clause_id in CLAUSES)
    assert "tests/accounts/test_signup.py::test_disagree_ends_signup_and_stores_nothing" in text
    assert "P12.1" in text
