"""Media assets and tags point at ``workspaces.Workspace`` (moved from cms).

State only: the column and the table it references (renamed by
``cms.0003_workspace_tables_renamed``) are unchanged, so there is nothing to do
in the database; running AlterField there would drop and recreate the foreign
keys for nothing (and on SQLite copy both tables). This runs before cms drops the
old model from its state, which needs no foreign key left pointing at it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('media_library', '0002_library'),
        ('workspaces', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='mediaasset',
                    name='workspace',
                    field=models.ForeignKey(help_text='The brand or client this file belongs to.', on_delete=django.db.models.deletion.CASCADE, related_name='media_assets', to='workspaces.workspace', verbose_name='workspace'),
                ),
                migrations.AlterField(
                    model_name='tag',
                    name='workspace',
                    field=models.ForeignKey(help_text='Tags belong to one workspace; another workspace never sees them.', on_delete=django.db.models.deletion.CASCADE, related_name='media_tags', to='workspaces.workspace', verbose_name='workspace'),
                ),
            ],
            database_operations=[],
        ),
    ]
