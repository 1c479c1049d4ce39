"""The media library's admin pages; importing the modules registers their ModelAdmins.

``assets`` is the media asset admin (upload, list, detail), built from ``forms``,
``filters``, ``displays``, ``actions`` and ``conversion_views``; ``tags``,
``conversions`` and ``url_prefixes`` are the other models' admins.
"""

from media_library.admin import assets, conversions, tags, url_prefixes  # noqa: F401  (registers the ModelAdmins)
