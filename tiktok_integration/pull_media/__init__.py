"""Media TikTok pulls (PULL_FROM_URL, docs/tiktok.md §4.5, §4.7, §10).

links.py makes and reads the unguessable, expiring links under
``<BASE_URL>/tiktok-media/``; views.py serves them (only for posts in flight)
and TikTok's URL verification files; readiness.py tells staff whether photo
posts can be published and what to set up.
"""
