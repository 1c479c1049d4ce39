"""An app for project-wide pieces that need Django's app registry."""

from django.apps import AppConfig


class PostdeckChecksConfig(AppConfig):
    """Registers Postdeck's deployment checks (config/checks.py)."""

    name = "config"
    label = "postdeck_config"
    verbose_name = "Postdeck configuration"

    def ready(self) -> None:
        from config import checks  # noqa: F401
