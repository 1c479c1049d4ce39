"""Workspace and WorkspaceMembership move here from cms, keeping every row.

``cms.0003_workspace_tables_renamed`` has already renamed the tables to this app's
default names (why a rename rather than a pinned ``db_table``: see its docstring),
so this migration only tells Django's migration state that the models now live
here; the database is not touched by the CreateModel operations.

The ``django_content_type`` rows move from app_label 'cms' to 'workspaces' in
place, so the rows that point at them (permissions, user and group permissions,
admin log entries) keep pointing at the same models. On a fresh database there
are no such rows yet; ``post_migrate`` creates them under 'workspaces'.
"""

import django.db.models.deletion
import workspaces.models
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = ['workspace', 'workspacemembership']


def _relabel_content_types(apps, old_label, new_label):
    content_type = apps.get_model('contenttypes', 'ContentType')
    content_type.objects.filter(app_label=old_label, model__in=MOVED_MODELS).update(
        app_label=new_label
    )


def content_types_to_workspaces(apps, schema_editor):
    _relabel_content_types(apps, 'cms', 'workspaces')


def content_types_back_to_cms(apps, schema_editor):
    _relabel_content_types(apps, 'workspaces', 'cms')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cms', '0003_workspace_tables_renamed'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Workspace',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='Shown to staff.', max_length=120, verbose_name='name')),
                        ('slug', models.SlugField(help_text='Short unique identifier.', unique=True, verbose_name='slug')),
                        ('time_zone', models.CharField(default='UTC', help_text='IANA name; schedules and the calendar are shown in this zone.', max_length=64, validators=[workspaces.models.validate_time_zone], verbose_name='time zone')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'workspace',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='WorkspaceMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('manager', 'Manager'), ('editor', 'Editor')], default='editor', help_text='Managers also receive account and failure notices by email.', max_length=20, verbose_name='role')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='joined at')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                        ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='workspaces.workspace')),
                    ],
                    options={
                        'verbose_name': 'workspace membership',
                    },
                ),
                migrations.AddField(
                    model_name='workspace',
                    name='members',
                    field=models.ManyToManyField(help_text="Staff who can see and change this workspace's content.", related_name='workspaces', through='workspaces.WorkspaceMembership', to=settings.AUTH_USER_MODEL, verbose_name='members'),
                ),
                migrations.AddConstraint(
                    model_name='workspacemembership',
                    constraint=models.UniqueConstraint(fields=('workspace', 'user'), name='workspace_membership_unique'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_workspaces, content_types_back_to_cms),
    ]
