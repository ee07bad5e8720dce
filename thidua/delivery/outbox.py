"""The outbox: every delivery of a report is recorded and claimed in the ledger before the first connection.

A delivery is keyed by what is sent (the report's key and the address). Claiming happens in one write
transaction, so of two processes mailing the same report only one sends each message; the other sees the
claim. A claimed message is marked `sending` just before it is handed to the server and `sent` only after the
server's 250 for its content. A `sending` row whose process died is in doubt: it is sent again, with the same
Message-ID, and counted as in doubt.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from thidua.base import owner as process
from thidua.base.errors import LedgerError
from thidua.base.ledger import (
    DELIVERY_PENDING,
    DELIVERY_REJECTED,
    DELIVERY_SENDING,
    DELIVERY_SENT,
    Ledger,
)
from thidua.base.ledger_mail import now

CLAIMED = "claimed"  # ours to send now
DONE = "done"  # sent (or permanently rejected) before: not sent again without --force
ELSEWHERE = "elsewhere"  # another live process holds it: it sends, we do not


@dataclass(frozen=True)
class Slot:
    """The outcome of claiming one address: what to do, and with which Message-ID."""

    email: str
    state: str
    message_id: str
    in_doubt: bool = False  # an earlier attempt may have reached the server


class Outbox:
    """The deliveries of one report key, as this process sees and holds them."""

    def __init__(self, ledger: Ledger, key: str, report_sha256: str, report_path: str) -> None:
        self.ledger, self.key = ledger, key
        self.report_sha256, self.report_path = report_sha256, report_path
        self.me = process.current()
        self.held: set[str] = set()

    def claim(self, wanted: list[tuple[str, str, str]], *, force: bool) -> dict[str, Slot]:
        """Record (email, name, fresh Message-ID) entries pending and claim those no one else holds."""
        slots: dict[str, Slot] = {}
        with self.ledger.transaction():
            for email, name, message_id in wanted:
                slot = self._claim_one(email.lower(), name, message_id, force)
                slots[slot.email] = slot
        self.held |= {s.email for s in slots.values() if s.state == CLAIMED}
        return slots

    def _claim_one(self, email: str, name: str, message_id: str, force: bool) -> Slot:
        record = self.ledger.delivery(self.key, email)
        if record is None:
            self.ledger.conn.execute(
                "INSERT INTO deliveries (report_key, report_sha256, report_path, email, name, status, attempts, "
                "message_id, owner, updated_at) VALUES (?,?,?,?,?,?,1,?,?,?)",
                (self.key, self.report_sha256, self.report_path, email, name, DELIVERY_PENDING, message_id,
                 self.me, now()))
            return Slot(email, CLAIMED, message_id)
        busy = record.owner not in ("", self.me) and process.alive(record.owner, record.updated_at)
        if busy:
            return Slot(email, ELSEWHERE, record.message_id)
        if not force and record.status in (DELIVERY_SENT, DELIVERY_REJECTED):
            return Slot(email, DONE, record.message_id)
        in_doubt = record.in_doubt or record.status == DELIVERY_SENDING
        again = record.status in (DELIVERY_PENDING, DELIVERY_SENDING) and record.message_id
        keep_id = record.message_id if again else message_id
        self.ledger.conn.execute(
            "UPDATE deliveries SET status=?, owner=?, attempts=attempts+1, in_doubt=?, message_id=?, name=?, "
            "report_sha256=?, report_path=?, updated_at=? WHERE report_key=? AND email=?",
            (DELIVERY_PENDING, self.me, int(in_doubt), keep_id, name, self.report_sha256, self.report_path,
             now(), self.key, email))
        return Slot(email, CLAIMED, keep_id, in_doubt)

    def sending(self, email: str) -> None:
        """The message is about to be handed to the server: from now on a crash leaves it in doubt."""
        self.ledger.conn.execute(
            "UPDATE deliveries SET status=?, owner=?, updated_at=? WHERE report_key=? AND email=?",
            (DELIVERY_SENDING, self.me, now(), self.key, email.lower()))

    def finish(self, email: str, status: str, error: str = "", *, in_doubt: bool = False) -> None:
        """Sent (250 received) or rejected; or still pending, in doubt if a copy may have arrived (now or in
        an earlier attempt)."""
        still = status == DELIVERY_PENDING
        self.ledger.conn.execute(
            "UPDATE deliveries SET status=?, last_error=?, in_doubt=(? AND (in_doubt OR ?)), owner='', "
            "updated_at=? WHERE report_key=? AND email=?",
            (status, error, int(still), int(in_doubt), now(), self.key, email.lower()))
        self.held.discard(email.lower())

    def abandon(self) -> None:
        """Give up every claim still held (an exception is on its way): a message that was being handed over
        stays in doubt; the others are plain pending. Best effort: the ledger may be what failed."""
        for email in list(self.held):
            with contextlib.suppress(LedgerError):
                self.ledger.conn.execute(
                    "UPDATE deliveries SET in_doubt = (in_doubt OR status=?), status=?, owner='', updated_at=? "
                    "WHERE report_key=? AND email=? AND owner=?",
                    (DELIVERY_SENDING, DELIVERY_PENDING, now(), self.key, email, self.me))
            self.held.discard(email)
