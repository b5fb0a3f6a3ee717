"""Matching watched words through the usual evasions, in English and Korean (P10.1).

Text and watched words are brought to one form before they are compared:
- NFKC and case folding: full-width "ＳＰＡＭ" and "Spam" are "spam";
- only letters and digits count, so spaces, dots or symbols put between letters ("s.p a-m", "광 고")
  do not hide a word;
- Hangul typed as separate jamo is composed: compatibility jamo (ㄱ, ㅏ: what a keyboard gives one
  key at a time) are first mapped to conjoining jamo (leading consonant, vowel, trailing consonant),
  since only conjoining jamo compose, and then composed as Unicode composes them (NFC's Hangul
  arithmetic). "ㄱㅗㅇㅈㅜ" and "공ㅈㅜ" become "공주".

Each folded character remembers the span of the original text it came from, so a match can be
masked in the text as written (censor), dots and all. Matching across word boundaries is the point
(a word with spaces inserted), so a watched word should be long enough not to turn up by chance
inside ordinary words.
"""

import unicodedata
from dataclasses import dataclass

# Hangul syllables and conjoining jamo (Unicode, chapter 3.12).
S_BASE, L_BASE, V_BASE, T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
L_COUNT, V_COUNT, T_COUNT = 19, 21, 28
S_COUNT = L_COUNT * V_COUNT * T_COUNT

# Compatibility jamo in the order of the conjoining leading consonants, vowels and trailing consonants.
_LEADING = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_TRAILING = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
LEADING = {jamo: chr(L_BASE + index) for index, jamo in enumerate(_LEADING)}
VOWELS = {jamo: chr(V_BASE + index) for index, jamo in enumerate(_VOWELS)}
TRAILING = {jamo: chr(T_BASE + 1 + index) for index, jamo in enumerate(_TRAILING)}


@dataclass(frozen=True)
class Folded:
    """Text in its matching form; `spans[i]` is the (start, end) in the original of folded character i."""

    text: str
    spans: tuple[tuple[int, int], ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.spans[start][0], self.spans[end - 1][1]


def _counts(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def _letters(text: str) -> list[tuple[str, int, int]]:
    """NFKC and case folding one original character at a time, keeping letters and digits only.

    Compatibility jamo are kept as typed: NFKC would make every one a leading consonant, and whether
    a consonant leads or trails is decided by its neighbours (_conjoining).
    """
    out = []
    for index, char in enumerate(text):
        compatibility_jamo = char in LEADING or char in VOWELS or char in TRAILING
        for folded in char if compatibility_jamo else unicodedata.normalize("NFKC", char).casefold():
            if _counts(folded):
                out.append((folded, index, index + 1))
    return out


def _is_vowel(char: str | None) -> bool:
    return char is not None and (char in VOWELS or V_BASE <= ord(char) < V_BASE + V_COUNT)


def _has_no_final(char: str) -> bool:
    """A leading+vowel pair, or an LV syllable: a trailing consonant may still join it."""
    code = ord(char)
    if V_BASE <= code < V_BASE + V_COUNT:
        return True
    return S_BASE <= code < S_BASE + S_COUNT and (code - S_BASE) % T_COUNT == 0


def _conjoining(letters: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Compatibility jamo as conjoining jamo: a consonant before a vowel leads, one after a vowel trails."""
    out: list[tuple[str, int, int]] = []
    for position, (char, start, end) in enumerate(letters):
        following = letters[position + 1][0] if position + 1 < len(letters) else None
        previous = out[-1][0] if out else None
        if char in LEADING and _is_vowel(following):
            char = LEADING[char]
        elif char in VOWELS and previous is not None and L_BASE <= ord(previous) < L_BASE + L_COUNT:
            char = VOWELS[char]
        elif char in TRAILING and previous is not None and _has_no_final(previous):
            char = TRAILING[char]
        out.append((char, start, end))
    return out


def _compose(letters: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Leading consonant + vowel (+ trailing consonant) into one syllable, the span covering all of them."""
    out: list[tuple[str, int, int]] = []
    for char, start, end in letters:
        code = ord(char)
        if out:
            last, last_start, _last_end = out[-1]
            last_code = ord(last)
            if L_BASE <= last_code < L_BASE + L_COUNT and V_BASE <= code < V_BASE + V_COUNT:
                syllable = S_BASE + ((last_code - L_BASE) * V_COUNT + code - V_BASE) * T_COUNT
                out[-1] = (chr(syllable), last_start, end)
                continue
            if T_BASE < code < T_BASE + T_COUNT and _has_no_final(last) and last_code >= S_BASE:
                out[-1] = (chr(last_code + code - T_BASE), last_start, end)
                continue
        out.append((char, start, end))
    # Anything left uncomposed goes back to its usual form, so "ㄱ" typed alone still equals "ㄱ".
    return [(unicodedata.normalize("NFKC", char), start, end) for char, start, end in out]


def fold(text: str) -> Folded:
    letters = _compose(_conjoining(_letters(text)))
    return Folded("".join(char for char, _, _ in letters), tuple((start, end) for _, start, end in letters))


def folded_word(word: str) -> str:
    return fold(word).text


def find(folded: Folded, word: str) -> list[tuple[int, int]]:
    """Every place the watched word occurs, as spans of the original text."""
    needle = folded_word(word)
    if not needle:
        return []
    found, start = [], folded.text.find(needle)
    while start != -1:
        found.append(folded.original_span(start, start + len(needle)))
        start = folded.text.find(needle, start + len(needle))
    return found


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with every character inside the spans (separators too) replaced by "*"."""
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            if not chars[index].isspace():
                chars[index] = "*"
    return "".join(chars)
