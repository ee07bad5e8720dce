"""Who gets which criteria: the address book joined with the workbook's monitor names."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from thidua.base.config import Recipient
from thidua.base.textfold import fold, split_names
from thidua.delivery.brief import CriterionLine, ReportBrief

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Addressee:
    """One message to write: a member of the address book and the criteria they follow."""

    name: str
    email: str
    role: str
    criteria: tuple[CriterionLine, ...]


@dataclass(frozen=True)
class RecipientPlan:
    """Every addressee, plus workbook names that have no address (to tell the person)."""

    addressees: tuple[Addressee, ...]
    unmatched: tuple[str, ...]
    unknown_codes: tuple[str, ...]


def plan_recipients(book: list[Recipient], brief: ReportBrief) -> RecipientPlan:
    """Everyone in the address book gets a message; their criteria = configured codes ∪ monitored ones."""
    by_key: dict[str, list[int]] = {}
    merged: list[tuple[Recipient, set[str]]] = []
    by_email: dict[str, int] = {}
    for rec in book:
        idx = by_email.get(rec.email.lower())
        if idx is None:  # the same address twice in the book still gets one message
            idx = by_email[rec.email.lower()] = len(merged)
            merged.append((rec, set()))
        merged[idx][1].update(rec.criteria)
        by_key.setdefault(fold(rec.name), []).append(idx)

    codes = {c.code for c in brief.criteria}
    unknown = sorted({code for _, wanted in merged for code in wanted} - codes)
    if unknown:
        log.warning("address book lists criteria not in this report: %s", ", ".join(unknown))

    unmatched: dict[str, None] = {}
    for line in brief.criteria:
        for person in split_names(line.monitor):
            hits = by_key.get(fold(person))
            if not hits:
                unmatched.setdefault(" ".join(person.split()))
                continue
            for idx in hits:
                merged[idx][1].add(line.code)
    for person in unmatched:
        log.warning("monitor %r has no address in [[email.recipients]]", person)

    addressees = tuple(
        Addressee(rec.name, rec.email, rec.role, tuple(c for c in brief.criteria if c.code in wanted))
        for rec, wanted in merged
    )
    return RecipientPlan(addressees, tuple(unmatched), tuple(unknown))
