"""Write bench/README.md: what the benchmarks measure, and one table of every results/<name>.json.

`make bench` runs it after the benchmarks; `.venv/bin/python -m bench.report` rewrites the table alone.
"""

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"
TABLE_START = "<!-- results table: written by bench/report.py -->"
TABLE_END = "<!-- end of results table -->"

INTRO = f"""# Benchmarks

Every hot path against its limit, as a ratio against a bare baseline measured in the same run, so that the
figure holds on a noisy machine. `make bench` runs them all; each writes `results/<name>.json` (machine, load
average, date, commit, figures) and a line in `results/README.md`; then this table is rewritten. Each also runs
alone: `.venv/bin/python -m bench.<name>` (`--help` for its options). They are not tests: `make test` runs none.

{TABLE_START}
{TABLE_END}
"""


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def fallback_figure(record: dict) -> str:
    # Results written before write_result kept a figure: their main number.
    known = ("ratio", "median_records_per_second")
    return ", ".join(f"{key.replace('_', ' ')} {record[key]}" for key in known if key in record) or "see the json"


def table() -> str:
    lines = ["| benchmark | figure | target | passed | date | commit | load |", "|---|---|---|---|---|---|---|"]
    for path in sorted(RESULTS.glob("*.json")):
        record = json.loads(path.read_text())
        figure = record.get("figure") or record.get("summary") or fallback_figure(record)
        machine = record.get("machine", {})
        lines.append(
            "| "
            + " | ".join(
                cell(value)
                for value in (
                    f"`{record.get('benchmark', path.stem)}`",
                    figure,
                    record.get("target", ""),
                    "yes" if record.get("passed") else "**no**",
                    record.get("date", ""),
                    str(record.get("commit", ""))[:10],
                    machine.get("load_average_1m", ""),
                )
            )
            + " |"
        )
    return "\n".join(lines)


def main() -> int:
    text = README.read_text() if README.exists() else INTRO
    if TABLE_START not in text or TABLE_END not in text:
        text = text.rstrip("\n") + "\n\n" + TABLE_START + "\n" + TABLE_END + "\n"
    before, rest = text.split(TABLE_START, 1)
    _, after = rest.split(TABLE_END, 1)
    README.write_text(before + TABLE_START + "\n" + table() + "\n" + TABLE_END + after)
    print(f"wrote {README.relative_to(BENCH.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
