from . import accounts, attempts, jobs  # noqa: F401  (registers the ModelAdmins)
