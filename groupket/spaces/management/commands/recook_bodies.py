from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groupket.core.actors import SystemActor
from groupket.core.progress import ProgressBar
from groupket.spaces.services.cooking import BATCH, count_stale_bodies, recook_bodies


class Command(BaseCommand):
    help = (
        "Make again the HTML kept beside each post and comment that an older cook made (or none): after a change "
        "to spaces.markdown.COOK_VERSION, and once for rows written before the HTML was kept. Safe to run while the "
        "site runs, and again after a stop: it starts where the last run left off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH, help=f"rows a transaction (default {BATCH})")

    def handle(self, *args: Any, batch: int = BATCH, **options: Any) -> None:
        bar = ProgressBar(total=count_stale_bodies(), label="cooking", stream=self.stdout)
        done = recook_bodies(
            actor=SystemActor.operator("recook_bodies"), batch_size=max(batch, 1), progress=bar.advance
        )
        bar.finish()
        self.stdout.write(self.style.SUCCESS(f"{done} posts and comments cooked again"))
