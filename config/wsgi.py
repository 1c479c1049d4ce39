"""The web process's WSGI application (gunicorn: ``config.wsgi``).

Once Django and the URL conf are loaded, their objects live as long as the
process, so they are moved out of the garbage collector's view
(``gc.freeze``): a full collection then walks only what requests made, which
took 5 to 11 % off the mean CPU time of the calendar's 5,000-post feed
(bench/bench_calendar.py prints both figures). Each gunicorn worker imports
this module after it forks, so each freezes its own objects.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (import every view module now)
gc.freeze()
