from django.apps import AppConfig


class TikTokIntegrationConfig(AppConfig):
    name = "tiktok_integration"
    verbose_name = "TikTok"
    default_auto_field = "django.db.models.BigAutoField"
