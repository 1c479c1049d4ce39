"""TikTok's URL layout under settings.TIKTOK_SANDBOX_PREFIX; config/urls.py
mounts it only in sandbox mode, and every view 404s when the mode is off."""

from django.urls import path

from tiktok_sandbox.views import display, oauth, posting, upload

app_name = "tiktok_sandbox"

urlpatterns = [
    # Login Kit (docs/tiktok.md §1)
    path("v2/auth/authorize/", oauth.authorize, name="authorize"),
    path("v2/oauth/token/", oauth.token, name="oauth_token"),
    path("v2/oauth/revoke/", oauth.revoke, name="oauth_revoke"),
    # Display API (§3)
    path("v2/user/info/", display.user_info, name="user_info"),
    path("v2/video/list/", display.video_list, name="video_list"),
    path("v2/video/query/", display.video_query, name="video_query"),
    # Content Posting API (§4)
    path(
        "v2/post/publish/creator_info/query/",
        posting.creator_info,
        name="creator_info",
    ),
    path("v2/post/publish/video/init/", posting.video_init, name="video_init"),
    path(
        "v2/post/publish/inbox/video/init/",
        posting.inbox_video_init,
        name="inbox_video_init",
    ),
    path("v2/post/publish/content/init/", posting.content_init, name="content_init"),
    path("v2/post/publish/status/fetch/", posting.status_fetch, name="status_fetch"),
    path("v2/post/publish/cancel/", posting.cancel, name="cancel"),
    # Media transfer (§4.6): the opaque upload_url that init hands out.
    path("upload/", upload.upload, name="upload"),
    # What the API's URLs point at: avatars, covers, profile and video pages.
    path("avatar/<str:username>/", display.avatar, name="avatar"),
    path("cover/<str:video_id>/", display.cover, name="cover"),
    path("t/<str:code>/", display.short_link, name="short_link"),
    path("@<str:username>/", display.profile, name="profile"),
    path(
        "@<str:username>/video/<str:video_id>/", display.video_page, name="video_page"
    ),
]
