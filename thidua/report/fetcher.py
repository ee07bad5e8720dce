"""A WeasyPrint URL fetcher that serves only files under the templates folder, nothing else."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """The document asked for something outside the templates folder (network, other files)."""


class TemplatesOnlyFetcher(URLFetcher):
    """Serve ``file://`` URLs inside `root` (and the system font files in `fonts`); refuse http(s), data:,
    and every other path.

    Workbooks and templates are untrusted: a criterion name can never add a resource, and even a
    template edited by an officer cannot read /etc/passwd or call the network.
    """

    def __init__(self, root: Path, extra_files: Iterable[Path] = (),
                 fonts: Callable[[], frozenset[Path]] = frozenset) -> None:
        """`extra_files`: single files outside the root that may also be served (the signature images
        [signing] names, for the visible signature); `fonts`: the system font files report.css may name
        with local() (report.fonts), resolved, asked only when WeasyPrint found such a font, so a machine
        without one never pays for the look-up."""
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False,
                         fail_on_errors=False)
        self.root = Path(root).resolve()
        self.extra = frozenset(Path(p).resolve() for p in extra_files)
        self.fonts = fonts
        self.refused: list[str] = []

    def resolve(self, url: str) -> Path | None:
        """The local file a URL names, when it is a file:// URL inside the root; else None."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(unquote(parts.path)).resolve()
        except (OSError, ValueError):
            return None
        if not (path.is_relative_to(self.root) or path in self.extra or path in self.fonts()) or not path.is_file():
            return None
        return path

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the file's bytes, or raise RefusedURL (WeasyPrint then skips the resource)."""
        path = self.resolve(url)
        if path is None:
            self.refused.append(url[:200])
            log.debug("refused to fetch %s (only files under %s are served)", url[:200], self.root)
            raise RefusedURL(f"refused: {url[:200]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() == ".ttf":
            mime = "font/ttf"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
