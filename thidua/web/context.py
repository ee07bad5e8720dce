"""What every request reaches: the settings, the background worker, the login limiter, its ledger connection."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app, g

from thidua.base.config import Config
from thidua.base.ledger import Ledger
from thidua.web.store import WebStore

if TYPE_CHECKING:
    from thidua.web.auth import RateLimiter
    from thidua.web.service import UploadService


@dataclass
class WebContext:
    """Shared by all requests of one app (kept in `app.extensions["thidua"]`)."""

    config: Config
    service: UploadService
    limiter: RateLimiter
    poll_slots: threading.BoundedSemaphore  # server threads that may wait for a result (the others serve pages)
    cache: dict[str, bytes] = field(default_factory=dict)  # the blank template, made once


def web() -> WebContext:
    ctx = current_app.extensions["thidua"]
    assert isinstance(ctx, WebContext)
    return ctx


def store() -> WebStore:
    """This request's view of the ledger (its own SQLite connection, closed when the request ends)."""
    if "store" not in g:
        g.store = WebStore(Ledger(web().config.path("ledger.path")))
    found = g.store
    assert isinstance(found, WebStore)
    return found


def close_store(_exc: BaseException | None = None) -> None:
    found = g.pop("store", None)
    if found is not None:
        found.ledger.close()
