"""Passwords out of anything shown or logged: database URLs in messages, titles and annotator.log."""

from __future__ import annotations

import re

MASK = "***"
# user:password@host; greedy up to the last @ so that an unescaped @ inside the password is masked too.
_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)(\S*)(@[^@/?#\s]*)")
# ?password=... or &password=... (libpq also knows it as a keyword in a conninfo string: password=...)
_KEYWORD = re.compile(r"((?:^|[?&;\s'\"])password\s*=\s*)('[^']*'|[^&;\s'\"]*)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """`text` with every password of a URL or a conninfo keyword replaced by ***."""
    return _KEYWORD.sub(lambda m: m.group(1) + MASK, _USERINFO.sub(lambda m: m.group(1) + MASK + m.group(3), text))


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Masked as above, and any known secret (a password taken from the URL) wherever else it appears."""
    for secret in secrets:
        if len(secret) >= 3:
            text = text.replace(secret, MASK)
    return mask_secrets(text)
