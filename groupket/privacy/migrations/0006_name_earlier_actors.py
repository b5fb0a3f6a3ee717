"""Rows written before actors were recorded say so, rather than leaving who acted blank."""

from django.db import migrations

FIRST_VERSIONS = "migration privacy.0002 (the first published versions)"
EARLIER = "not recorded (before actors were named)"
# model, the actor's id column, its label column, the label for rows without either
COLUMNS = [
    ("MassNotice", "created_by_ref", "created_by_operator", EARLIER),
    ("RetentionExtension", "extended_by_ref", "extended_by_operator", EARLIER),
]


def name_actors(apps, schema_editor) -> None:
    documents = apps.get_model("privacy", "PolicyDocument").objects.filter(published_by_ref__isnull=True)
    documents.filter(version=1, published_by_operator="").update(published_by_operator=FIRST_VERSIONS)
    documents.filter(published_by_operator="").update(published_by_operator=EARLIER)
    for model, ref, label, text in COLUMNS:
        apps.get_model("privacy", model).objects.filter(**{f"{ref}__isnull": True, label: ""}).update(**{label: text})


def forget_actors(apps, schema_editor) -> None:
    for model, label in [("PolicyDocument", "published_by_operator")] + [(m, label) for m, _, label, _ in COLUMNS]:
        rows = apps.get_model("privacy", model).objects.filter(**{f"{label}__in": [FIRST_VERSIONS, EARLIER]})
        rows.update(**{label: ""})


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0005_privacy_actors"),
    ]

    operations = [migrations.RunPython(name_actors, forget_actors)]
