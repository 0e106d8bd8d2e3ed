"""HTML pages: the main text of the article, extracted with trafilatura; site boilerplate is dropped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import BOM, read_bytes

_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_META_KEYS = ("url", "date", "author", "sitename", "description")


def read(path: Path) -> Iterator[DocumentRecord]:
    """The page's main text as plain text; title from the page metadata or its <title>, else the file stem."""
    data = read_bytes(path)
    page: str | bytes
    try:
        page = data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError:
        page = data  # trafilatura reads the charset the page declares
    extracted = _extract(page, path)
    text = extracted.get("text") or ""
    if not text.strip():
        raise ImportFormatError(
            "no article text could be extracted from this page", path=path,
            hint="the page may be empty or only navigation; save the article text as a .txt file instead",
        )
    title = extracted.get("title") or _title_tag(page) or path.stem
    meta = {key: extracted[key] for key in _META_KEYS if isinstance(extracted.get(key), str) and extracted[key]}
    yield DocumentRecord(text=text, title=title, source=path.name, meta=meta)


def _extract(page: str | bytes, path: Path) -> dict[str, Any]:
    try:
        # Imported here: trafilatura takes a good part of a second to import.
        import trafilatura
    except ImportError as e:
        raise ImportFormatError(f"reading HTML needs trafilatura, which cannot be imported: {e}", path=path,
                                hint="install trafilatura and lxml_html_clean") from e
    try:
        result = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    except Exception as e:  # lxml and trafilatura raise many kinds on broken markup
        raise ImportFormatError(f"the page cannot be parsed as HTML: {e}", path=path) from e
    if result is None:
        return {}
    if hasattr(result, "as_dict"):  # trafilatura 2 returns a Document, 1.x a dict
        return dict(result.as_dict())
    return dict(result)


def _title_tag(page: str | bytes) -> str | None:
    if isinstance(page, bytes):
        page = page.decode("utf-8", errors="replace")
    match = _TITLE.search(page)
    if not match:
        return None
    title = " ".join(html.unescape(match.group(1)).split())
    return title or None
