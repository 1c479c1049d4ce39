"""Named crash points for the fault tests: inert unless armed by the environment.

``POSTDECK_FAULTPOINT`` names the one armed point and ``POSTDECK_FAULTPOINT_ONCE``
a file that is created when it fires: the point kills its own process once, and
the worker that replaces it runs on past it. Production never sets either.
"""

from __future__ import annotations

import os
import signal


def faultpoint(name: str) -> None:
    """SIGKILL this process if ``name`` is the armed point and it has not fired."""
    if os.environ.get("POSTDECK_FAULTPOINT") != name:
        return
    marker = os.environ.get("POSTDECK_FAULTPOINT_ONCE")
    if marker:
        try:
            # O_EXCL: of several processes reaching the point, exactly one dies.
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
    os.kill(os.getpid(), signal.SIGKILL)
