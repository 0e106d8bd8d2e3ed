"""HTML pages: the main text of the article, extracted with trafilatura; site boilerplate is dropped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.domain.names import printable
from annotator.domain.records import DocumentRecord
from annotator.errors import ImportFormatError
from annotator.formats._common import BOM, read_bytes

_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_META_KEYS = ("url", "date", "author", "sitename", "description")
# trafilatura's main-text extraction asks libxml2 XPath questions (`//p//text()`) whose time grows with the
# square of the paragraphs: 40,000 take seconds, 160,000 minutes. No article comes near this many; a page
# past it is read by one linear walk of its main container, and its metadata from its first paragraphs.
LARGE_PAGE_PARAGRAPHS = 5_000
METADATA_PARAGRAPHS = 200
_PARAGRAPH = re.compile(r"<p[\s>/]", re.IGNORECASE)
_PARAGRAPH_BYTES = re.compile(rb"<p[\s>/]", re.IGNORECASE)
# Left out of a large page's text: code, forms, menus and the page's furniture.
_DROPPED = frozenset({"script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg",
                      "button", "select", "textarea", "menu", "object", "embed", "canvas", "head"})
# Elements that end a line of text.
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li",
                     "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "caption",
                     "figure", "figcaption", "address", "hr", "br", "details", "summary"})


def read(path: Path) -> Iterator[DocumentRecord]:
    """The page's main text as plain text; title from the page metadata or its <title>, else the file stem."""
    data = read_bytes(path)
    page: str | bytes
    try:
        page = data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError:
        page = data  # trafilatura reads the charset the page declares
    paragraphs = _PARAGRAPH_BYTES.findall(page) if isinstance(page, bytes) else _PARAGRAPH.findall(page)
    large = len(paragraphs) > LARGE_PAGE_PARAGRAPHS
    extracted = _extract_large(page, path) if large else _extract(page, path)
    text = extracted.get("text") or ""
    if not text.strip():
        raise ImportFormatError(
            "no article text could be extracted from this page", path=path,
            hint="the page may be empty or only navigation; save the article text as a .txt file instead",
        )
    title = extracted.get("title") or _title_tag(page) or printable(path.stem)
    meta = {key: extracted[key] for key in _META_KEYS if isinstance(extracted.get(key), str) and extracted[key]}
    yield DocumentRecord(text=text, title=title, source=path.name, meta=meta)


def _trafilatura(path: Path) -> Any:
    try:
        # Imported here: trafilatura takes a good part of a second to import.
        import trafilatura
    except ImportError as e:
        raise ImportFormatError(f"reading HTML needs trafilatura, which cannot be imported: {e}", path=path,
                                hint="install trafilatura and lxml_html_clean") from e
    return trafilatura


def _extract(page: str | bytes, path: Path) -> dict[str, Any]:
    trafilatura = _trafilatura(path)
    try:
        result = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    except Exception as e:  # lxml and trafilatura raise many kinds on broken markup
        raise ImportFormatError(f"the page cannot be parsed as HTML: {e}", path=path) from e
    return _as_dict(result)


def _as_dict(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if hasattr(result, "as_dict"):  # trafilatura 2 returns a Document, 1.x a dict
        return dict(result.as_dict())
    return dict(result) if isinstance(result, dict) else dict(vars(result))


def _extract_large(page: str | bytes, path: Path) -> dict[str, Any]:
    """The text of the main container, a line per block, and the metadata of the page's beginning."""
    trafilatura = _trafilatura(path)
    try:
        tree = trafilatura.load_html(page)  # trafilatura's parser: it reads the charset the page declares
        if tree is None:
            raise ValueError("no HTML tree")
        text = _block_text(_main_container(tree))
        _cut_after(tree, METADATA_PARAGRAPHS)
        metadata = _as_dict(trafilatura.extract_metadata(tree))
    except Exception as e:  # lxml and trafilatura raise many kinds on broken markup
        raise ImportFormatError(f"the page cannot be parsed as HTML: {e}", path=path) from e
    return {**{key: value for key, value in metadata.items() if key == "title" or key in _META_KEYS}, "text": text}


def _main_container(tree: Any) -> Any:
    """The <article> holding the most paragraphs, else <main>, else <body>."""
    articles = list(tree.iter("article"))
    if articles:
        return max(articles, key=lambda article: sum(1 for _ in article.iter("p")))
    for tag in ("main", "body"):
        found = next(tree.iter(tag), None)
        if found is not None:
            return found
    return tree


def _block_text(container: Any) -> str:
    """The text under `container`, a line per block element, spaces collapsed; in one pass, no recursion."""
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        line = " ".join("".join(current).split())
        current.clear()
        if line and line != "-":  # "-": an empty list item
            lines.append(line)

    stack: list[tuple[Any, bool]] = [(container, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else None  # None: a comment
        if closing:
            if tag in _BLOCKS:
                end_line()
        elif tag is not None and tag not in _DROPPED:
            if tag in _BLOCKS:
                end_line()
            if tag == "li":
                current.append("- ")  # as trafilatura writes list items
            if element.text:
                current.append(element.text)
            stack.append((element, True))
            stack.extend((child, False) for child in reversed(element))
            continue
        if element.tail and element is not container:
            current.append(element.tail)
    end_line()
    return "\n".join(lines)


def _cut_after(tree: Any, paragraphs: int) -> None:
    """Drop everything after the first `paragraphs` <p> elements (metadata comes from a page's beginning)."""
    node = next((p for n, p in enumerate(tree.iter("p")) if n == paragraphs), None)
    while node is not None and node.getparent() is not None:
        parent = node.getparent()
        del parent[parent.index(node) + 1 :]
        node = parent


def _title_tag(page: str | bytes) -> str | None:
    if isinstance(page, bytes):
        page = page.decode("utf-8", errors="replace")
    match = _TITLE.search(page)
    if not match:
        return None
    title = " ".join(html.unescape(match.group(1)).split())
    return title or None
