"""Bulk work from the command line: ``import_posts`` and ``export_posts``.

``contract`` names the columns (docs/bulk-posts.md), ``reading`` turns a CSV
or XLSX file into rows, ``parsing`` reads each row's values, ``resolving``
looks up a whole file's accounts, media and posts at once, ``upsert`` writes
through the composer's ``post_compose``, ``report`` says what happened and
``export`` writes posts back out in the same columns.
"""
