"""Rows written before actors were recorded name the operator, since only the operator acted without an id."""

from django.db import migrations

EARLIER = "operator on the server (recorded before actors were named)"
# model, the actor's id column, its label column, and which rows had an action at all
COLUMNS = [
    ("RoleGrant", "granted_by_ref", "granted_by_operator", {}),
    ("RoleGrant", "revoked_by_ref", "revoked_by_operator", {"revoked_at__isnull": False}),
    ("AuthenticatorReset", "reset_by_ref", "reset_by_operator", {}),
]


def name_operator(apps, schema_editor) -> None:
    for model, ref, label, acted in COLUMNS:
        rows = apps.get_model("staff", model).objects.filter(**{f"{ref}__isnull": True, label: ""}, **acted)
        rows.update(**{label: EARLIER})


def forget_operator(apps, schema_editor) -> None:
    for model, _ref, label, _acted in COLUMNS:
        apps.get_model("staff", model).objects.filter(**{label: EARLIER}).update(**{label: ""})


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0007_staff_actors"),
    ]

    operations = [migrations.RunPython(name_operator, forget_operator)]
