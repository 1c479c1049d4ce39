"""Publishing PublishJobs to TikTok exactly once (docs/reliability.md).

Modules follow a job's life:

- ``dispatch``: the beat ticks' services: claim due jobs, due status checks,
  re-drive abandoned jobs (sent by ``tiktok_integration.tasks``).
- ``leases``: claiming jobs and holding them; every write a worker makes is
  fenced by (lease_version, lease_owner).
- ``run``: drive one claimed job through its steps and settle how it stopped
  (park, reschedule, review); ``run_state`` is what the steps share.
- ``prepare``: CLAIMED: creator info, the post checked against it, the init
  intent. ``caps``: TikTok's posting caps, anticipated from the job history.
- ``init``: INIT_PENDING: the init call, a lost init retried only when safe,
  starting over with a new init.
- ``upload``: UPLOADING: chunks in order, resumed from TikTok's byte count.
- ``status``: what a status fetch or a webhook means for a job; the poller.
- ``webhooks``: the post.publish.* handlers.
- ``staff_actions``: publish now, cancel, retry, duplicate, mark published,
  reconcile one job, save its settings.
- ``transitions``: the only writer of ``PublishJob.status`` (compare-and-set
  moves, one timestamp per state).
- ``calls``: the publishing adapter over ``tiktok_integration.gateway``: a
  call for a job, with "come back later" turned into parking the job.
- ``media``: the job's media and the choices sent with it.
- ``faultpoints``: named crash points for the fault tests, inert unless armed.
"""
