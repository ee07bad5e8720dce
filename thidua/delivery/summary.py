"""What one report's mailing did, per recipient, and the Vietnamese lines that tell the person."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from thidua.base.ledger import DELIVERY_DRY_RUN, DELIVERY_PENDING, DELIVERY_REJECTED, DELIVERY_SENT
from thidua.base.program import command_name

STATUS_SKIPPED = "skipped"  # already sent (or permanently rejected) earlier; not sent again
STATUS_ELSEWHERE = "elsewhere"  # another running process holds this delivery and sends it


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one recipient's message in this run."""

    name: str
    email: str
    status: str  # sent | pending | rejected | skipped | elsewhere | dry-run
    error: str = ""
    eml: Path | None = None
    in_doubt: bool = False  # an earlier (or this) attempt may have reached the server: same Message-ID


@dataclass
class DeliverySummary:
    """One report's mail run: per-recipient results and the names that had no address."""

    report: Path
    real: bool
    results: list[DeliveryResult] = field(default_factory=list)
    unmatched: tuple[str, ...] = ()
    outbox: Path | None = None
    note: str = ""  # why nothing could be attempted (report missing, no brief…)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def sent(self) -> int:
        return self.count(DELIVERY_SENT)

    @property
    def pending(self) -> int:
        return self.count(DELIVERY_PENDING)

    @property
    def rejected(self) -> int:
        return self.count(DELIVERY_REJECTED)

    @property
    def skipped(self) -> int:
        return self.count(STATUS_SKIPPED)

    @property
    def elsewhere(self) -> int:
        return self.count(STATUS_ELSEWHERE)

    @property
    def dry_run(self) -> int:
        return self.count(DELIVERY_DRY_RUN)

    @property
    def in_doubt(self) -> int:
        """Messages that may have reached their recipient before this run (sent again with the same ID)."""
        return sum(1 for r in self.results if r.in_doubt)

    @property
    def ok(self) -> bool:
        """False when someone did not get the report (pending or rejected): the command exits 1."""
        return not (self.pending or self.rejected)

    @property
    def problems(self) -> list[str]:
        """Vietnamese lines about what went wrong; shown even with --quiet."""
        lines = []
        for r in self.results:
            if r.status == DELIVERY_PENDING:
                doubt = " (chưa rõ lần gửi trước đã tới hay chưa)" if r.in_doubt else ""
                lines.append(f"  Còn treo{doubt}: {r.name} <{r.email}>: {r.error}.")
        if self.pending:
            lines.append(f"  Sẽ thử lại khi chạy: {command_name()} send --pending")
        lines += [f"  Bị từ chối: {r.name} <{r.email}>: {r.error}." for r in self.results
                  if r.status == DELIVERY_REJECTED]
        if self.unmatched:
            lines.append("  Chưa có địa chỉ email (thêm vào [[email.recipients]] trong config.toml): "
                         + ", ".join(self.unmatched) + ".")
        return lines

    @property
    def messages(self) -> list[str]:
        """Every line to show the person: the headline first, then the problems."""
        name = self.report.name
        if self.note:
            head = f"{name}: {self.note}"
        elif not self.results:
            head = f"{name}: sổ địa chỉ [[email.recipients]] trống, không có thư nào để gửi."
        elif not self.real:
            head = (f"{name}: đã ghi {self.dry_run} thư (.eml) vào {self.outbox}, chưa gửi thật. "
                    f"Gửi thật: {command_name()} send \"{self.report}\"")
        else:
            resent = sum(1 for r in self.results if r.in_doubt and r.status == DELIVERY_SENT)
            doubtful = sum(1 for r in self.results if r.in_doubt and r.status == DELIVERY_PENDING)
            pending = f"thư còn treo ({doubtful} trong số đó chưa rõ đã tới hay chưa)" if doubtful else "thư còn treo"
            parts = [f"đã gửi {self.sent} thư"]
            parts += [f"{n} {label}" for n, label in (
                (resent, "thư trong số đó đã được gửi lại vì lần gửi trước bị ngắt giữa chừng, chưa rõ đã tới hay "
                         "chưa (cùng Message-ID, trình đọc thư gộp làm một)"),
                (self.skipped, "thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại"),
                (self.elsewhere, "thư đang được một tiến trình khác gửi, không gửi trùng"),
                (self.pending, pending),
                (self.rejected, "địa chỉ bị từ chối")) if n]
            head = f"{name}: " + "; ".join(parts) + "."
        return [head, *self.problems]
