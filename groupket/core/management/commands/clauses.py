from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from groupket.core.clauses import CLAUSES, KEPT, marked_tests


class Command(BaseCommand):
    help = "Print every clause of the privacy policy with the tests that prove it."

    def handle(self, *args: Any, **options: Any) -> None:
        proofs = marked_tests(Path(settings.BASE_DIR) / "tests")
        for clause_id, promise in CLAUSES.items():
            tests = proofs.get(clause_id, [])
            state = "kept" if clause_id in KEPT else "planned"
            style = self.style.SUCCESS if tests else (self.style.ERROR if state == "kept" else self.style.WARNING)
            self.stdout.write(style(f"{clause_id} [{state}, {len(tests)} tests] {promise}"))
            for test in tests:
                self.stdout.write(f"    {test}")
        kept_without = sorted(KEPT - proofs.keys())
        if kept_without:
            self.stdout.write(self.style.ERROR(f"kept but unproved: {', '.join(kept_without)}"))
