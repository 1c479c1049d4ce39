from . import accounts, attempts, jobs, verification  # noqa: F401  (registers the ModelAdmins)
