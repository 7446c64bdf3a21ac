"""A publication's frozen inputs as an archive of Parquet files instead of rows of JSON.

A national race's inputs were 266 MB of JSON per version (built, parsed and stored again with
each publication); as `RaceInputs.to_archive()` they are about 10 MB. Existing versions are
converted row by row, frames unchanged; going back converts them to rows again.
"""

import polars as pl
from django.db import migrations, models

from saima.engine.frames import INPUT_SCHEMAS, RaceInputs


def _to_archive(apps, schema_editor) -> None:
    Publication = apps.get_model("races", "Publication")
    for pk in Publication.objects.values_list("pk", flat=True).iterator():
        rows = Publication.objects.values_list("inputs_json", flat=True).get(pk=pk)
        frames = {
            name: pl.DataFrame(rows[name], schema=INPUT_SCHEMAS[name], orient="row")
            for name in INPUT_SCHEMAS
            if name in rows
        }
        archive = RaceInputs(**frames).to_archive()
        Publication.objects.filter(pk=pk).update(inputs=archive)


def _to_rows(apps, schema_editor) -> None:
    Publication = apps.get_model("races", "Publication")
    for pk in Publication.objects.values_list("pk", flat=True).iterator():
        archive = Publication.objects.values_list("inputs", flat=True).get(pk=pk)
        inputs = RaceInputs.from_archive(archive)
        rows = {
            name: frame.to_dicts()
            for name in INPUT_SCHEMAS
            if (frame := getattr(inputs, name)) is not None
        }
        Publication.objects.filter(pk=pk).update(inputs_json=rows)


class Migration(migrations.Migration):
    dependencies = [
        ("races", "0002_statement_withdrawn"),
    ]

    operations = [
        migrations.RenameField("publication", "inputs", "inputs_json"),
        migrations.AlterField(
            "publication",
            "inputs_json",
            models.JSONField(null=True, verbose_name="inputs"),
        ),
        migrations.AddField(
            "publication",
            "inputs",
            models.BinaryField(default=b"", verbose_name="inputs"),
            preserve_default=False,
        ),
        migrations.RunPython(_to_archive, _to_rows),
        migrations.RemoveField("publication", "inputs_json"),
    ]
