"""The media library's admin pages; importing the modules registers them."""

from media_library.admin import assets as assets
