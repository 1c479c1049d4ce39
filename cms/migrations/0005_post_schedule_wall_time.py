"""Posts keep the wall time staff typed, in their zone; ``scheduled_at`` is
derived from it.

Existing rows keep their instant: each ``scheduled_at`` becomes the wall time
it shows in the post's zone (the workspace's when the post has none), with the
fold of a repeated hour, so deriving it again gives the same instant.
"""

import zoneinfo

import workspaces.models
from django.db import migrations, models


def wall_time_from_instant(apps, schema_editor):
    Post = apps.get_model("cms", "Post")
    posts = Post.objects.select_related("workspace").exclude(scheduled_at=None)
    for post in posts.iterator():
        zone_name = post.time_zone or post.workspace.time_zone or "UTC"
        local = post.scheduled_at.astimezone(zoneinfo.ZoneInfo(zone_name))
        post.time_zone = zone_name
        post.scheduled_date = local.date()
        post.scheduled_time = local.time().replace(tzinfo=None)
        post.scheduled_fold = local.fold
        post.save(
            update_fields=[
                "time_zone", "scheduled_date", "scheduled_time", "scheduled_fold"
            ]
        )


def instant_kept(apps, schema_editor):
    """Going back needs nothing: ``scheduled_at`` was never changed."""


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0004_workspace_moved_to_workspaces_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='scheduled_date',
            field=models.DateField(blank=True, help_text="The day on the clocks of the post's time zone. Empty for a draft.", null=True, verbose_name='date'),
        ),
        migrations.AddField(
            model_name='post',
            name='scheduled_fold',
            field=models.PositiveSmallIntegerField(choices=[(0, 'First'), (1, 'Second')], default=0, help_text='When the clocks go back and the time happens twice: which one.', verbose_name='occurrence'),
        ),
        migrations.AddField(
            model_name='post',
            name='scheduled_time',
            field=models.TimeField(blank=True, help_text="The time on the clocks of the post's time zone, as typed.", null=True, verbose_name='time'),
        ),
        migrations.AlterField(
            model_name='post',
            name='scheduled_at',
            field=models.DateTimeField(blank=True, editable=False, help_text="Derived from the date, time and time zone by cms.scheduling.local_to_utc; drives the post's publish jobs.", null=True, verbose_name='goes out at (UTC)'),
        ),
        migrations.AlterField(
            model_name='post',
            name='time_zone',
            field=models.CharField(blank=True, help_text="IANA name the time was typed in; empty means the workspace's.", max_length=64, validators=[workspaces.models.validate_time_zone], verbose_name='time zone'),
        ),
        migrations.RunPython(wall_time_from_instant, instant_kept),
    ]
