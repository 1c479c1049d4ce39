"""An app for project-wide pieces that need Django's app registry."""

from django.apps import AppConfig


class PostdeckConfig(AppConfig):
    """Registers the deployment checks (config/checks.py) and keeps query strings
    out of URL-printing loggers (config/logfilters.py)."""

    name = "config"
    label = "postdeck_config"
    verbose_name = "Postdeck configuration"

    def ready(self) -> None:
        from config import checks, logfilters  # noqa: F401

        logfilters.install()
