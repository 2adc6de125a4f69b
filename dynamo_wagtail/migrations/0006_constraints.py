from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dynamo_wagtail", "0005_layout"),
    ]

    operations = [
        migrations.AddField(
            model_name="metamodel",
            name="constraints",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Fields unique together, and comparisons between two fields.",
                verbose_name="rules across fields",
            ),
        ),
    ]
