from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    """Workspaces, their members and roles: the app every other app builds on."""

    default = True
    name = "workspaces"
    verbose_name = "Workspaces"
    default_auto_field = "django.db.models.BigAutoField"
