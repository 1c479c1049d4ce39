"""Everything below the product that talks to TikTok.

- ``clients``: TikTok clients built from settings (hosts, keys, timeouts).
- ``attempts``: one PublishAttempt row per external call.
- ``clock``: the database's clock (``db_now``).
- ``rate_limits``: TikTok's per-token and per-app windows, shared by every
  process through the database (docs/tiktok.md §6).
- ``breaker``: circuit breakers for TikTok's API and upload hosts.
- ``account_calls``: the facade: call TikTok as one connected account, within
  every limit, with one refresh on a refused token.
- ``uploads``: chunk PUTs to TikTok's upload URL through the upload breaker.
- ``errors``: ``ComeBackLaterError``, "ask again in N seconds".

Services, admin views, tasks and publishing call TikTok only through here.
"""
