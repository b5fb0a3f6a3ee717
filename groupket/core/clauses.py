"""The clauses of the privacy policy (shared/CLAUSES.md) and where their proof lives.

A clause is proved by tests marked `@pytest.mark.clause("P…")`. KEPT lists the
clauses the product claims to keep today; tests/test_clauses.py fails while any
of them has no marked test.
"""

import ast
from collections import defaultdict
from pathlib import Path

CLAUSES: dict[str, str] = {
    "P1.1": "only the minimum information necessary is requested",
    "P1.2": "each member manages their own information",
    "P1.3": "nothing is disclosed except in exceptional cases (legal requests from government agencies)",
    "P1.4": "only essential information, to prevent misuse",
    "P2.1": "required: ID (username), password, name, email; all other fields optional",
    "P2.2": "refusing optional fields never denies basic service",
    "P2.3": "never collects race/ethnicity, ideology/beliefs, place of origin/registered domicile, political orientation, criminal records, health, sexual life",
    "P3.1": "[Agree]/[Disagree] to the Terms of Use and the Privacy Policy at signup; Agree is consent",
    "P4.1": "personal information is used only for: the service contract, the service, news of new services or events",
    "P5.1": "no sharing without the member's consent",
    "P5.2": "exceptions required by law (financial, credit, telecom, consumer protection acts)",
    "P5.3": "exception: billing for service use",
    "P5.4": "partner companies (e.g. shipping) get data only after explicit consent",
    "P6.1": "members view, edit and update their information at any time ([Edit Profile])",
    "P6.2": "changes can be requested by email to the Personal Information Manager",
    "P6.3": "members withdraw with [Unregister]",
    "P7.1": "security systems using passwords",
    "P7.2": "antivirus software",
    "P7.3": "secure transmission using encryption",
    "P7.4": "firewall and access control systems",
    "P7.5": "other technical safeguards",
    "P7.6": "access and management procedures are established",
    "P7.7": "account control and periodic password changes for systems handling personal data",
    "P7.8": "access to personal information limited to a minimum of handlers",
    "P7.9": "password advice: letters and numbers, no personal data such as ID or phone numbers, change regularly, log out on shared computers",
    "P8.1": "retained from registration until withdrawal",
    "P8.2": "kept after withdrawal only if required by law (e.g. Commercial Act), previously agreed, or for disputes, settlements, delivery confirmations",
    "P8.3": "access to kept data strictly limited to those purposes",
    "P8.4": "further retention needs notice and consent",
    "P8.5": "destroyed by irrecoverable technical methods",
    "P9.1": "cookies simplify authentication, measure user numbers, usage frequency and interests",
    "P9.2": "users can accept or reject cookies",
    "P9.3": "cookies identify the browser, not the person",
    "P10.1": "posts may be monitored for inappropriate content or harmful behaviour",
    "P10.2": "only a very limited number of authorised staff manage member data",
    "P11.1": "a designated Personal Information Manager handles complaints",
    "P12.1": "dispute mediation bodies (KISA Privacy Infringement Center, Dispute Mediation Committee)",
}

KEPT: frozenset[str] = frozenset(
    {
        "P1.1",
        "P1.2",
        "P1.3",
        "P1.4",
        "P2.1",
        "P2.2",
        "P2.3",
        "P3.1",
        "P4.1",
        "P5.1",
        "P5.2",
        "P5.3",
        "P5.4",
        "P6.1",
        "P6.2",
        "P6.3",
        "P7.1",
        "P7.2",
        "P7.3",
        "P7.4",
        "P7.5",
        "P7.6",
        "P7.7",
        "P7.8",
        "P7.9",
        "P8.1",
        "P8.2",
        "P8.3",
        "P8.4",
        "P8.5",
        "P9.1",
        "P9.2",
        "P9.3",
        "P10.1",
        "P10.2",
        "P11.1",
        "P12.1",
    }
)


def _clause_ids(decorator: ast.expr) -> list[str]:
    """The clause IDs of a `pytest.mark.clause("P…", …)` decorator, or none."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return []
    if decorator.func.attr != "clause":
        return []
    return [arg.value for arg in decorator.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]


def marked_tests(tests_dir: Path) -> dict[str, list[str]]:
    """Clause ID -> the tests marked with it ("path::name"), read from the test sources."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(tests_dir.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for decorator in node.decorator_list:
                    for clause_id in _clause_ids(decorator):
                        found[clause_id].append(f"{path.relative_to(tests_dir.parent)}::{node.name}")
    return dict(found)
