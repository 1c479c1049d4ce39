from . import accounts, analytics, attempts, jobs  # noqa: F401  (registers the ModelAdmins)
