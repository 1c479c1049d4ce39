"""The content calendar page, its JSON feed and its move endpoint; the URLs
hang off ``PostdeckAdminSite.get_urls`` (``admin:calendar``,
``admin:calendar_feed``, ``admin:calendar_move``)."""
