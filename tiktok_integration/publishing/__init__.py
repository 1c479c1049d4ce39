"""Publishing PublishJobs to TikTok exactly once (RELIABILITY.md §1 and §2).

- ``leases``: the DB clock, claiming due jobs, acquiring, renewing and parking a
  lease; every write a worker makes is fenced by (lease_version, lease_owner).
- ``limits``: TikTok's per-token and app-wide rate limits, shared by every
  worker through the database, and the circuit breaker.
- ``steps``: the in-flight steps (prepare, init, upload) with intent markers.
- ``status``: what a status fetch or a webhook means for a job; the poller.
- ``reconcile``: the reconcile tick and the staff actions (retry, cancel, …).
- ``webhooks``: the post.publish.* handlers.
- ``faultpoints``: named crash points for the fault tests, inert unless armed.
"""
