"""Draw Groupket's icon: the SVG and every PNG size from one set of shapes, so that they cannot differ.

Run after changing a shape; the results are committed under groupket/static/img/. The icon is a basket
(the group order) holding three heads (the group), on the brand green.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from PIL import Image, ImageDraw

GRID = 512  # the shapes are drawn on a 512 x 512 grid
GREEN, WHITE, MINT = "#2f6f5e", "#ffffff", "#bfe8da"
CORNER = 112
HEADS = ((166, 168, WHITE), (256, 148, MINT), (346, 168, WHITE))
HEAD_RADIUS = 46
BASKET = ((88, 250), (424, 250), (378, 430), (134, 430))
BAND = (312, 336)  # the basket's woven band, between these heights
# name -> (size in px, rounded corners): the favicon, the phone's home screen icons and the maskable one
# (a full square, which the phone itself rounds or circles).
PNGS = {
    "favicon-32.png": (32, True),
    "apple-touch-icon.png": (180, False),
    "icon-192.png": (192, True),
    "icon-512.png": (512, True),
    "icon-maskable-512.png": (512, False),
}


def _edge_x(y: float) -> tuple[float, float]:
    """The basket's left and right edge at height y."""
    (top_left, top_y), (top_right, _), (bottom_right, bottom_y), (bottom_left, _) = BASKET
    share = (y - top_y) / (bottom_y - top_y)
    return top_left + (bottom_left - top_left) * share, top_right + (bottom_right - top_right) * share


def band() -> list[tuple[float, float]]:
    (left_top, right_top), (left_bottom, right_bottom) = _edge_x(BAND[0]), _edge_x(BAND[1])
    return [(left_top, BAND[0]), (right_top, BAND[0]), (right_bottom, BAND[1]), (left_bottom, BAND[1])]


def svg() -> str:
    def points(polygon: tuple | list) -> str:
        return " ".join(f"{x:g},{y:g}" for x, y in polygon)

    heads = "".join(f'<circle cx="{x}" cy="{y}" r="{HEAD_RADIUS}" fill="{fill}"/>' for x, y, fill in HEADS)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">'
        f'<rect width="{GRID}" height="{GRID}" rx="{CORNER}" fill="{GREEN}"/>{heads}'
        f'<polygon points="{points(BASKET)}" fill="{WHITE}"/>'
        f'<polygon points="{points([(round(x, 1), y) for x, y in band()])}" fill="{GREEN}"/></svg>\n'
    )


def png(size: int, rounded: bool) -> Image.Image:
    scale = 4 * size / GRID  # drawn four times larger, then reduced: smooth edges
    big = Image.new("RGBA", (4 * size, 4 * size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.rounded_rectangle((0, 0, 4 * size - 1, 4 * size - 1), radius=CORNER * scale if rounded else 0, fill=GREEN)
    for x, y, fill in HEADS:
        r = HEAD_RADIUS
        draw.ellipse(((x - r) * scale, (y - r) * scale, (x + r) * scale, (y + r) * scale), fill=fill)
    draw.polygon([(x * scale, y * scale) for x, y in BASKET], fill=WHITE)
    draw.polygon([(x * scale, y * scale) for x, y in band()], fill=GREEN)
    return big.resize((size, size), Image.Resampling.LANCZOS)


class Command(BaseCommand):
    help = "Draw the icon as SVG and PNG into groupket/static/img/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folder", type=Path, default=Path(settings.BASE_DIR) / "groupket" / "static" / "img")

    def handle(self, *args: object, **options: object) -> None:
        folder = options["folder"]
        (folder / "groupket.svg").write_text(svg(), encoding="utf-8")
        for name, (size, rounded) in PNGS.items():
            png(size, rounded).save(folder / name, optimize=True)
        self.stdout.write(f"drew groupket.svg and {len(PNGS)} PNG files in {folder}")
