from . import content  # noqa: F401  (registers the ModelAdmins)
