"""Accent-insensitive full-text search of the documents' text (issue 18 step 5).

On PostgreSQL: the `unaccent` extension; a text search configuration `vn_unaccent` (the
"simple" one with every word passed through unaccent first: "Quyết định" and "Đắk" are kept as
"quyet", "dinh", "dak"); Document.text_vector, a stored generated column
to_tsvector('vn_unaccent', text); and a GIN index on it. A stored column rather than an index
on the expression: when a word is in most documents the planner scans the table, and then
reads the stored vectors instead of parsing every text again (seconds for 2,000 documents).
On SQLite only the column is made (always NULL): its fallback reads DocumentCheck.plain_text.
"""
import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

import evidence.search

# The same names as evidence.search.SEARCH_CONFIG / TEXT_INDEX (kept literal: a migration
# must not change when the code does; tests/evidence/test_search.py checks the index is used).
SEARCH_CONFIG = "vn_unaccent"
TEXT_INDEX = "evidence_document_text_fts"

# Words holding a letter outside ASCII (the ASCII-only kinds need no unaccent).
WORD_KINDS = "word, hword, hword_part, numword, numhword, hword_numpart"


class UnaccentOnPostgres(UnaccentExtension):
    """CREATE EXTENSION unaccent; its forwards already skip other databases, not its backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_config(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    name = schema_editor.quote_name(SEARCH_CONFIG)
    schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = simple)")
    schema_editor.execute(f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR {WORD_KINDS} WITH unaccent, simple")


def drop_config(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {schema_editor.quote_name(SEARCH_CONFIG)}")


def _index():
    return GinIndex(fields=["text_vector"], name=TEXT_INDEX)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("evidence", "Document"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("evidence", "Document"), _index())


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0005_province_step_kinds'),
    ]

    operations = [
        UnaccentOnPostgres(),
        migrations.RunPython(create_config, drop_config),
        migrations.AddField(
            model_name='document',
            name='text_vector',
            field=models.GeneratedField(db_persist=True, expression=evidence.search.TextVector(), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
