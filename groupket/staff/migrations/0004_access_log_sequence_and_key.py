from django.db import migrations, models


class Migration(migrations.Migration):
    """Room for the MAC chain: a gapless sequence and the access-log key of each row (filled by 0005)."""

    dependencies = [
        ("staff", "0003_sealed_second_factors"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="sequence",
            field=models.PositiveBigIntegerField(
                null=True, help_text="1, 2, 3 ... with no gap: a gap is a deleted row"
            ),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="key_id",
            field=models.CharField(
                default="", max_length=40, help_text="the access-log key (its master key's id) of entry_hash"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="entry_hash",
            field=models.CharField(max_length=64, unique=True, help_text="HMAC-SHA256 of the row under key_id"),
        ),
        migrations.AlterModelOptions(name="accesslogentry", options={"ordering": ["sequence"]}),
    ]
