"""Accent-insensitive full-text search of the documents' text on PostgreSQL (issue 18 step 5).

The `unaccent` extension, a text search configuration `vn_unaccent` (the "simple" one with
every word passed through unaccent first: "Quyết định" and "Đắk" are stored as "quyet",
"dinh", "dak") and a GIN index on to_tsvector('vn_unaccent', text), the very expression
evidence.search.text_filter queries. Nothing on SQLite: its fallback reads
DocumentCheck.plain_text.
"""
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import UnaccentExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# The same names as evidence.search.SEARCH_CONFIG / TEXT_INDEX (kept literal: a migration
# must not change when the code does; tests/evidence/test_search.py checks the index is used).
SEARCH_CONFIG = "vn_unaccent"
TEXT_INDEX = "evidence_document_text_fts"

# Words holding a letter outside ASCII (the ASCII-only kinds need no unaccent).
WORD_KINDS = "word, hword, hword_part, numword, numhword, hword_numpart"


def _index():
    return GinIndex(SearchVector("text", config=SEARCH_CONFIG), name=TEXT_INDEX)


class UnaccentOnPostgres(UnaccentExtension):
    """CREATE EXTENSION unaccent; its forwards already skip other databases, not its backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_config_and_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    name = schema_editor.quote_name(SEARCH_CONFIG)
    schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = simple)")
    schema_editor.execute(f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR {WORD_KINDS} WITH unaccent, simple")
    schema_editor.add_index(apps.get_model("evidence", "Document"), _index())


def drop_index_and_config(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("evidence", "Document"), _index())
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {schema_editor.quote_name(SEARCH_CONFIG)}")


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0005_province_step_kinds'),
    ]

    operations = [
        UnaccentOnPostgres(),
        migrations.RunPython(create_config_and_index, drop_index_and_config),
    ]
