"""File names as they can be shown and stored: a name need not be valid UTF-8."""

from __future__ import annotations

import os


def printable(name: str) -> str:
    """`name` with the bytes that are not UTF-8 written as `\\xff`.

    Python keeps such bytes of a file name as lone surrogates (U+DC80..U+DCFF), which no UTF-8 encoder,
    database driver or terminal takes. The name is turned back into its bytes with the file-system
    encoding, so a UTF-8 name read under an ASCII locale still shows its accents.
    """
    if name.isascii():
        return name
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate that did not come from the file system
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")
