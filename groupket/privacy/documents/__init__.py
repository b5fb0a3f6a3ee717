"""The product's Terms of Use and Privacy Policy as installed by migrations, in English and Korean.

Version 1 is `<kind>.<language>.txt`; a later version N is `<kind>.vN.<language>.txt`. A file is never edited once
a migration installs it: a fresh database must get the same text an existing one got.
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def read_document(kind: str, language: str, version: int = 1) -> str:
    name = f"{kind}.{language}.txt" if version == 1 else f"{kind}.v{version}.{language}.txt"
    return (FOLDER / name).read_text(encoding="utf-8").strip()
