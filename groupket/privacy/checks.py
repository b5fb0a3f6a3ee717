"""The system check that keeps the data inventory true of the models (P1.4, P2.3).

`manage.py check` (and so `migrate`, `runserver` and the test suite) fails when a
model stores personal data the inventory does not declare, when the inventory
points at a column that does not exist, or when anything declares an item of a
category the Privacy Policy promises never to collect. Messages name the item or
the column, never any stored value: the check reads model definitions, not rows.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation

from groupket.core.fields import EncryptedField
from groupket.privacy import inventory

HINT_DECLARE = (
    "Declare it as an Item in groupket/privacy/inventory.py, or, if it holds nothing about a person, "
    "list it in inventory.NOT_PERSONAL with the reason."
)
HINT_PROHIBITED = (
    "Groupket never collects this (Privacy Policy section 2, clause P2.3): remove the item and its column."
)

# Column names that say the column holds something about a person, as snake_case phrases.
PERSONAL_NAMES: tuple[str, ...] = (
    "name", "username", "nickname", "email", "phone", "mobile", "tel", "fax", "address", "postcode",
    "zipcode", "zip_code", "postal_code", "birth", "birthday", "birthdate", "dob", "age", "gender", "sex",
    "ip", "ip_address", "user_agent", "photo", "avatar", "passport", "resident_number", "ssn", "card_number",
    "account_number", "location", "latitude", "longitude", "gps",
)  # fmt: skip

# What the policy promises never to collect (P2.3), as English phrases matched word by word.
PROHIBITED_TOPICS: dict[str, tuple[str, ...]] = {
    "race or ethnicity": ("race", "racial", "ethnicity", "ethnic", "skin colour", "skin color"),
    "ideology or beliefs": ("religion", "religious", "belief", "ideology", "ideological", "faith", "creed"),
    "place of origin or registered domicile": (
        "origin", "birthplace", "hometown", "domicile", "family register", "bonjeok",
    ),
    "political orientation": ("political", "politics", "political party", "trade union"),
    "criminal records": ("criminal", "crime", "conviction", "offence", "offense", "arrest", "police record"),
    "health": (
        "health", "medical", "medicine", "disease", "illness", "diagnosis", "disability", "disabled",
        "blood type", "blood", "mental", "pregnancy", "genetic",
    ),
    "sexual life or orientation": ("sexual", "sexuality", "sex life", "sexual orientation"),
}  # fmt: skip

# The same topics in Korean, matched inside the Korean label (Korean does not split into words the same way).
PROHIBITED_KOREAN: dict[str, tuple[str, ...]] = {
    "race or ethnicity": ("인종", "민족"),
    "ideology or beliefs": ("종교", "사상", "신념", "신앙"),
    "place of origin or registered domicile": ("본적", "출신지", "출신 지역", "고향"),
    "political orientation": ("정치", "정당", "노동조합"),
    "criminal records": ("범죄", "전과"),
    "health": ("건강", "병력", "질병", "장애", "혈액형", "의료"),
    "sexual life or orientation": ("성생활", "성적 지향", "성적지향"),
}


def _words(text: str) -> list[str]:
    """Lower-case words of a label, a key or a snake_case or CamelCase name."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return re.findall(r"[a-z0-9]+", spaced.lower())


def _same_word(word: str, wanted: str) -> bool:
    # Plurals too: "emails", "addresses", "beliefs".
    return word in (wanted, f"{wanted}s", f"{wanted}es")


def _has_phrase(words: Sequence[str], phrase: str) -> bool:
    wanted = _words(phrase)
    size = len(wanted)
    return any(
        all(_same_word(words[start + offset], part) for offset, part in enumerate(wanted))
        for start in range(len(words) - size + 1)
    )


def looks_personal(name: str) -> bool:
    words = _words(name)
    return any(_has_phrase(words, phrase) for phrase in PERSONAL_NAMES)


def prohibited_topic(text: str) -> str | None:
    """The prohibited topic an English text or a name speaks of, or None."""
    words = _words(text)
    for topic, phrases in PROHIBITED_TOPICS.items():
        if any(_has_phrase(words, phrase) for phrase in phrases):
            return topic
    return None


def _prohibited_label_topic(label: Any) -> str | None:
    """A label is checked in English and in Korean, since either could name a prohibited topic."""
    with translation.override("en"):
        english = str(label)
    with translation.override("ko"):
        korean = str(label)
    topic = prohibited_topic(english)
    if topic is None:
        topic = next((t for t, words in PROHIBITED_KOREAN.items() if any(w in korean for w in words)), None)
    return topic


def _resolve(reference: str, by_label: Mapping[str, type[models.Model]]) -> models.Field | None:
    """The concrete field an "app_label.Model.field" reference names, or None."""
    try:
        path = inventory.ItemPath.parse(reference)
    except ValueError:
        return None
    if path.model not in by_label:
        return None
    try:
        field = by_label[path.model]._meta.get_field(path.field)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def _item_messages(
    item: inventory.Item, by_label: Mapping[str, type[models.Model]], categories: Iterable[str], purposes: Iterable[str]
) -> list[checks.CheckMessage]:
    name = f"inventory item {item.key!r}"
    found: list[checks.CheckMessage] = []
    for column in item.columns:
        if _resolve(column, by_label) is None:
            found.append(
                checks.Error(
                    f"{name} points at {column!r}, which is no field of an installed model.",
                    hint='Write the field as "app_label.Model.field", and a copy as a field of the same model.',
                    obj=name,
                    id="privacy.E003",
                )
            )
    category_topic = prohibited_topic(item.category)
    if category_topic:
        found.append(
            checks.Error(
                f"{name} has the category {item.category!r}, which is {category_topic}.",
                hint=HINT_PROHIBITED,
                obj=name,
                id="privacy.E004",
            )
        )
    elif item.category not in categories:
        found.append(
            checks.Error(
                f"{name} has the category {item.category!r}, which inventory.CATEGORY_LABELS does not declare.",
                hint="Pages group items by the declared categories: an undeclared one would hide the item.",
                obj=name,
                id="privacy.E008",
            )
        )
    found += _purpose_messages(item, name, purposes)
    found += _topic_messages(item, name)
    return found


def _purpose_messages(item: inventory.Item, name: str, purposes: Iterable[str]) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for purpose in item.purposes:
        topic = prohibited_topic(purpose)
        if topic:
            found.append(
                checks.Error(
                    f"{name} declares the purpose {purpose!r}, which is {topic}.",
                    hint=HINT_PROHIBITED,
                    obj=name,
                    id="privacy.E005",
                )
            )
        elif purpose not in purposes:
            found.append(
                checks.Error(
                    f"{name} declares the purpose {purpose!r}, which inventory.PURPOSE_LABELS does not declare.",
                    hint="Personal items are used only for declared purposes (P4.1).",
                    obj=name,
                    id="privacy.E009",
                )
            )
    return found


def _topic_messages(item: inventory.Item, name: str) -> list[checks.CheckMessage]:
    try:
        field_name = item.path.field
    except ValueError:  # reported as privacy.E003; its words are still checked
        field_name = item.field
    for what, topic in (
        ("key", prohibited_topic(item.key)),
        ("field name", prohibited_topic(field_name)),
        ("label", _prohibited_label_topic(item.label)),
    ):
        if topic:
            return [
                checks.Error(
                    f"The {what} of {name} speaks of {topic}.", hint=HINT_PROHIBITED, obj=name, id="privacy.E006"
                )
            ]
    return []


def _field_message(reference: str, field: models.Field) -> checks.CheckMessage | None:
    """The error of one column that no item declares and no exemption covers, if it holds personal data."""
    if isinstance(field, EncryptedField):
        text = "stores encrypted personal data that the data inventory does not declare."
        return checks.Error(f"{reference} {text}", hint=HINT_DECLARE, obj=field, id="privacy.E001")
    if topic := prohibited_topic(field.name):
        text = f"is named like {topic}, which Groupket never collects."
        return checks.Error(f"{reference} {text}", hint=HINT_PROHIBITED, obj=field, id="privacy.E011")
    if looks_personal(field.name):
        text = "is named like personal data, and the data inventory does not declare it."
        return checks.Error(f"{reference} {text}", hint=HINT_DECLARE, obj=field, id="privacy.E002")
    return None


def _field_messages(
    model_list: Iterable[type[models.Model]], declared: set[str], not_personal: Mapping[str, str]
) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for model in model_list:
        if model._meta.proxy:
            continue
        for field in model._meta.local_concrete_fields:
            reference = f"{model._meta.label}.{field.name}"
            if reference in declared or reference in not_personal:
                continue
            message = _field_message(reference, field)
            if message is not None:
                found.append(message)
    return found


def _exemption_messages(
    not_personal: Mapping[str, str], declared: set[str], by_label: Mapping[str, type[models.Model]]
) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    for reference, reason in not_personal.items():
        problem = None
        if _resolve(reference, by_label) is None:
            problem = "is no field of an installed model"
        elif not str(reason).strip():
            problem = "has no reason"
        elif reference in declared:
            problem = "is also declared as a personal item"
        if problem:
            found.append(
                checks.Error(
                    f"inventory.NOT_PERSONAL lists {reference!r}, which {problem}.",
                    hint="Each exemption names a real column and says why it holds nothing about a person.",
                    obj=reference,
                    id="privacy.E007",
                )
            )
    return found


def _duplicate_messages(items: Sequence[inventory.Item]) -> list[checks.CheckMessage]:
    seen: set[str] = set()
    found: list[checks.CheckMessage] = []
    for item in items:
        if item.key in seen:
            found.append(
                checks.Error(
                    f"inventory item {item.key!r} is declared more than once.",
                    hint="Each personal item is declared once; give each item its own key.",
                    obj=f"inventory item {item.key!r}",
                    id="privacy.E010",
                )
            )
        seen.add(item.key)
    return found


def check_inventory(
    items: Sequence[inventory.Item],
    model_list: Iterable[type[models.Model]],
    *,
    not_personal: Mapping[str, str] | None = None,
    categories: Iterable[str] | None = None,
    purposes: Iterable[str] | None = None,
) -> list[checks.CheckMessage]:
    """Every problem of an inventory against a set of models; inputs are arguments so tests can feed their own."""
    model_list = list(model_list)
    not_personal = inventory.NOT_PERSONAL if not_personal is None else not_personal
    categories = set(inventory.CATEGORY_LABELS if categories is None else categories)
    purposes = set(inventory.PURPOSE_LABELS if purposes is None else purposes)
    by_label = {model._meta.label: model for model in model_list}
    declared = {column for item in items for column in item.columns}
    found = _duplicate_messages(items)
    for item in items:
        found += _item_messages(item, by_label, categories, purposes)
    found += _exemption_messages(not_personal, declared, by_label)
    found += _field_messages(model_list, declared, not_personal)
    return found


def check_privacy_inventory(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The registered check: the real inventory against every installed model.

    The inventory spans apps, so it is always checked whole, even when `check` names some apps only.
    """
    return check_inventory(inventory.ITEMS + inventory.BROWSER_ITEMS, apps.get_models())
