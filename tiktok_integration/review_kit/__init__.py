"""The TikTok review kit: what TikTok's app review checks and where Postdeck
stands on each (docs/tiktok.md §8, §10). guidelines.py: each Content Sharing
Guidelines rule, where Postdeck satisfies it and the test that proves it.
checks.py: the portal settings and a live check of each URL."""
