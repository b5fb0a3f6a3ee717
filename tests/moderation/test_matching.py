"""Watched words are found through the usual evasions, in English and Korean, and masked as written (P10.1)."""

import pytest

from groupket.moderation.matching import find, fold, mask

# (watched word, text as a member might type it, the evasion it shows)
FOUND = [
    ("spam", "SPAM", "case"),
    ("spam", "Ｓｐａｍ", "full width (NFKC)"),
    ("spam", "s p a m", "spaces between letters"),
    ("spam", "s.p.a.m", "dots between letters"),
    ("spam", "s*p-a_m!", "symbols between letters"),
    ("광고", "광 고", "a space inside a Korean word"),
    ("광고", "광.고", "a dot inside a Korean word"),
    ("광고", "ㄱㅘㅇㄱㅗ", "Hangul typed as separate compatibility jamo"),
    ("광고", "광ㄱㅗ", "a syllable, then jamo"),
    ("광고", "\u1100\u116a\u11bc\u1100\u1169", "conjoining jamo (NFD)"),
    ("닭발", "ㄷㅏㄺㅂㅏㄹ", "jamo with a double final consonant"),
    ("광고", "ㄱ ㅘ ㅇ ㄱ ㅗ", "jamo with spaces between them"),
    ("광고", "ＡＤ광고", "inside other letters"),
]
NOT_FOUND = [
    ("spam", "spa", "only part of the word"),
    ("광고", "광주 고기", "the syllables apart, with others between"),
    ("광고", "ㄱㅘㅇ", "only the first syllable"),
]


@pytest.mark.clause("P10.1")
@pytest.mark.parametrize(("word", "text", "evasion"), FOUND, ids=[row[2] for row in FOUND])
def test_a_watched_word_is_found_through_each_evasion(word: str, text: str, evasion: str) -> None:
    assert find(fold(text), word), evasion


@pytest.mark.parametrize(("word", "text", "case"), NOT_FOUND, ids=[row[2] for row in NOT_FOUND])
def test_text_without_the_word_is_left_alone(word: str, text: str, case: str) -> None:
    assert find(fold(text), word) == [], case


@pytest.mark.parametrize(
    ("word", "text", "masked"),
    [
        ("spam", "Buy s.p.a.m now", "Buy ******* now"),
        ("spam", "ＳＰＡＭ and spam", "**** and ****"),
        ("광고", "이거 광 고 아님", "이거 * * 아님"),
        ("광고", "이거 ㄱㅘㅇㄱㅗ 아님", "이거 ***** 아님"),
    ],
)
def test_censor_masks_the_word_as_it_was_written(word: str, text: str, masked: str) -> None:
    assert mask(text, find(fold(text), word)) == masked


def test_the_word_itself_is_folded_the_same_way() -> None:
    assert find(fold("spam"), "Ｓ.P.A.M") and find(fold("광고"), "ㄱㅘㅇㄱㅗ")
