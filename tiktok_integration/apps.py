from django.apps import AppConfig


class TikTokIntegrationConfig(AppConfig):
    name = "tiktok_integration"
    verbose_name = "TikTok"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the post.publish.* webhook handlers wherever events are applied.
        from tiktok_integration.publishing import webhooks  # noqa: F401
