"""Last step of the move: posts point at ``workspaces.Workspace`` and cms's
migration state forgets Workspace and WorkspaceMembership.

State only: the tables now belong to the workspaces app (renamed in 0003, taken
over by ``workspaces.0001_initial``); deleting them here would lose every row.
Every other foreign key to the old model has been moved first: media_library's by
the dependency below, tiktok_integration's by its own ``run_before``.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0003_workspace_tables_renamed'),
        ('media_library', '0003_workspace_from_workspaces_app'),
        ('workspaces', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='post',
                    name='workspace',
                    field=models.ForeignKey(help_text='The brand or client this post belongs to.', on_delete=django.db.models.deletion.CASCADE, related_name='posts', to='workspaces.workspace', verbose_name='workspace'),
                ),
                migrations.RemoveField(model_name='workspace', name='members'),
                migrations.DeleteModel(name='WorkspaceMembership'),
                migrations.DeleteModel(name='Workspace'),
            ],
            database_operations=[],
        ),
    ]
