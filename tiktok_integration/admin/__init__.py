from . import (  # noqa: F401  (registers the ModelAdmins)
    accounts,
    analytics,
    attempts,
    jobs,
    queues,
    verification,
)
