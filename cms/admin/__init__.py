from . import content, legal  # noqa: F401  (registers the ModelAdmins)
