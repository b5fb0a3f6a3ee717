"""Load version 1 of the Terms of Use and the Privacy Policy from privacy/documents/."""

from datetime import UTC, datetime

from django.db import migrations

from groupket.privacy.documents import read_document

FIRST_EFFECTIVE = datetime(2026, 11, 1, tzinfo=UTC)


def load(apps, schema_editor):
    PolicyDocument = apps.get_model("privacy", "PolicyDocument")
    for kind in ("terms", "privacy"):
        if not PolicyDocument.objects.filter(kind=kind, version=1).exists():
            PolicyDocument.objects.create(
                kind=kind,
                version=1,
                effective_at=FIRST_EFFECTIVE,
                body_en=read_document(kind, "en"),
                body_ko=read_document(kind, "ko"),
            )


def unload(apps, schema_editor):
    apps.get_model("privacy", "PolicyDocument").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
