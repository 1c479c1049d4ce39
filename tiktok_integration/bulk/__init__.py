"""Bulk work from the command line: ``import_posts`` and ``export_posts``.

``contract`` names the columns (docs/bulk-posts.md), ``reading`` turns a CSV
or XLSX file into rows, ``parsing`` reads each row's values, ``grouping``
gathers the rows of one post (one ``external_id``, one row per account) and
compares them with the saved post, ``resolving`` looks up a whole file's
accounts, media and posts at once, ``caps`` holds the plan against TikTok's
daily cap, ``upsert`` compares rows with their post and writes each post
through one call of the composer's ``post_compose``, ``importer`` runs it
all, ``report`` says what happened and ``export`` writes posts back out in
the same columns.
"""
