from django.conf import settings
from django.http import HttpRequest


def postdeck(request: HttpRequest) -> dict[str, object]:
    return {"TIKTOK_SANDBOX": settings.TIKTOK_SANDBOX}
