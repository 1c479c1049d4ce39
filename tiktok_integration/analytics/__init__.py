"""Analytics: bring TikTok's numbers back over time and tie them to Postdeck's posts.

- ``sampling``: when a video's next snapshot is due (pure).
- ``sync``: one account's profile counts and videos, in the fewest Display API
  calls pagination and batching allow (docs/tiktok.md §3, §6).
- ``linking``: which publish job made which video (post id, else a scored match).
- ``covers``: cover URLs renewed before they expire (§3.4).
- ``lookup``: a pasted video id or share link, found on a connected account.
- ``thinning``: old snapshots reduced to one a day.
- ``export``: CSV and XLSX, safe from formula injection.
- ``selectors``: what the account page, post page and dashboard draw.
"""
