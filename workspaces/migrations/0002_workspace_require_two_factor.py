from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspace",
            name="require_two_factor",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Members must set up an authenticator app before they can use "
                    "the admin (as POSTDECK_REQUIRE_2FA does for all staff). Only "
                    "managers of the workspace and superusers can change this."
                ),
                verbose_name="require two-factor sign-in",
            ),
        ),
    ]
