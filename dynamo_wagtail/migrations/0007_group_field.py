from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dynamo_wagtail", "0006_constraints"),
    ]

    operations = [
        migrations.AddField(
            model_name="metamodel",
            name="group_field",
            field=models.UUIDField(
                blank=True,
                editable=False,
                help_text="The group field whose items this type holds (set by the engine).",
                null=True,
                verbose_name="items of",
            ),
        ),
    ]
