from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0005_reseal_access_log"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="sequence",
            field=models.PositiveBigIntegerField(
                unique=True, help_text="1, 2, 3 ... with no gap: a gap is a deleted row"
            ),
        ),
    ]
