"""Writes for the media library; callers import from the module that holds the service.

``assets`` stores, re-covers and deletes assets, ``probing`` reads a stored file
again, ``tags`` names and links tags, ``conversions`` runs "Make TikTok-ready",
and ``stored_files`` keeps the files in storage in step with the rows.
"""
