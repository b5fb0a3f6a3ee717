"""Every assertion can fail (DESIGN.md, habit 16): no `or` inside an assert.

`assert A and B or C` passes whenever C holds, whatever A and B are; an `or` of alternatives hides which
one the product is meant to give. Assert each thing on its own instead, or compute the expected value first.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def asserts_with_or(source: str) -> list[int]:
    """Line numbers of the asserts whose test expression holds an `or` anywhere in it."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assert)
        and any(isinstance(part, ast.BoolOp) and isinstance(part.op, ast.Or) for part in ast.walk(node.test))
    ]


def test_the_scan_finds_an_or_however_deep_and_only_in_asserts() -> None:
    source = "assert a and b or c\nassert f(x or y)\nassert a and b\nvalue = a or b\nassert not (a == 1)\n"
    assert asserts_with_or(source) == [1, 2]


def test_no_assertion_in_the_tests_holds_an_or() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in asserts_with_or(path.read_text(encoding="utf-8"))
    ]
    assert found == []
