from django.apps import AppConfig


class TikTokSandboxConfig(AppConfig):
    name = "tiktok_sandbox"
    label = "tiktok_sandbox"
    verbose_name = "TikTok sandbox"
    default_auto_field = "django.db.models.BigAutoField"
