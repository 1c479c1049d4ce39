"""TikTok accounts point at ``workspaces.Workspace`` (moved from cms).

State only: the column and the table it references (renamed by
``cms.0003_workspace_tables_renamed``) are unchanged. ``run_before`` puts this
ahead of cms dropping the old model from its state (no foreign key may still
point at it then) while cms's own migrations never name this app.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tiktok_integration', '0004_account_refresh_lease'),
        ('workspaces', '0001_initial'),
    ]

    run_before = [
        ('cms', '0004_workspace_moved_to_workspaces_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='tiktokaccount',
                    name='workspace',
                    field=models.ForeignKey(help_text='The brand or client that publishes through this account.', on_delete=django.db.models.deletion.CASCADE, related_name='tiktok_accounts', to='workspaces.workspace', verbose_name='workspace'),
                ),
            ],
            database_operations=[],
        ),
    ]
