from django.db import migrations, models
from django.db.models.functions import Lower


def fill_name_key(apps, schema_editor):
    MetaModel = apps.get_model("dynamo_wagtail", "MetaModel")
    MetaModel.objects.using(schema_editor.connection.alias).update(name_key=Lower("name"))


class Migration(migrations.Migration):
    """Types found by name with one index lookup (a lower-cased copy of the name), item
    types by their group field, group fields by their kind."""

    dependencies = [
        ("dynamo_wagtail", "0009_schema_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="metamodel",
            name="name_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=63),
        ),
        migrations.RunPython(fill_name_key, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="metamodel",
            name="group_field",
            field=models.UUIDField(
                blank=True,
                db_index=True,
                editable=False,
                help_text="The group field whose items this type holds (set by the engine).",
                null=True,
                verbose_name="items of",
            ),
        ),
        migrations.AlterField(
            model_name="metafield",
            name="type",
            field=models.CharField(db_index=True, max_length=63, verbose_name="kind"),
        ),
    ]
