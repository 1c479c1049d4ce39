"""Bulk work from the command line: ``import_posts`` and ``export_posts``.

``contract`` names the columns (docs/bulk-posts.md), ``reading`` turns a CSV
or XLSX file into rows, ``parsing`` reads each row's values, ``resolving``
looks up a whole file's accounts, media and posts at once, ``caps`` holds the
plan against TikTok's daily cap, ``upsert`` compares a row with its post and
writes through the composer's ``post_compose``, ``importer`` runs it all,
``report`` says what happened and ``export`` writes posts back out in the same
columns.
"""
