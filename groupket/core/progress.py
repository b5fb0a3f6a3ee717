"""A plain progress bar for management commands (no dependency, works in any terminal or log)."""

from django.core.management.base import OutputWrapper


class ProgressBar:
    WIDTH = 30

    def __init__(self, *, total: int, label: str, stream: OutputWrapper) -> None:
        self.total, self.label, self.stream, self.done = max(total, 1), label, stream, 0

    def advance(self, count: int) -> None:
        self.done = min(self.done + count, self.total)
        filled = int(self.WIDTH * self.done / self.total)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total}", ending=""
        )
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("")
