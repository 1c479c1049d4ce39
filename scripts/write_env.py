"""Write a local .env with freshly generated secrets, unless one already exists."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

TEMPLATE = """\
# Written by `make run` for local use; see .env.example for every variable.
DJANGO_SECRET_KEY={secret_key}
FIELD_ENCRYPTION_KEYS={field_key}
DJANGO_DEBUG=true
POSTDECK_BASE_URL=http://127.0.0.1:8000
POSTDECK_PORT=8000
# No TIKTOK_CLIENT_KEY: the built-in TikTok sandbox answers instead of TikTok.
"""


def main(path: Path) -> None:
    if path.exists():
        return
    path.write_text(
        TEMPLATE.format(
            secret_key=secrets.token_urlsafe(50),
            field_key=Fernet.generate_key().decode(),
        )
    )
    path.chmod(0o600)
    print(f"Wrote {path} with generated secrets.")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".env"))
