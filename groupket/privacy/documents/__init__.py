"""The product's Terms of Use and Privacy Policy, version 1, in English and Korean."""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def read_document(kind: str, language: str) -> str:
    return (FOLDER / f"{kind}.{language}.txt").read_text(encoding="utf-8").strip()
