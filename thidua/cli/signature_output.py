"""`verify FILE.pdf` at the terminal: each signature (who, when, intact, trusted) and the verdict; exit 0 or 1."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from thidua.base.config import Config
from thidua.base.errors import EXIT_DATA_ISSUES, EXIT_OK
from thidua.report.verify import TRUST_HINT, SignatureCheck, load_roots, verify_pdf


def _yes(flag: bool, yes: str, no: str) -> str:
    return yes if flag else no


def format_check(number: int, check: SignatureCheck) -> list[str]:
    """The lines about one signature."""
    role = f"{check.role}, " if check.role else ""
    lines = [f"Chữ ký {number} ({role}ô \"{check.field}\"): {check.signer}",
             f"  Chứng thư: {check.subject or '-'}; cấp bởi: {check.issuer or '-'}",
             f"  Thời gian ký: {check.signed_at or 'không rõ'} (theo máy của người ký)"]
    if check.timestamp:
        lines.append(f"  Dấu thời gian: {check.timestamp} (máy chủ dấu thời gian)")
    lines += [f"  Nội dung: {_yes(check.intact, 'còn nguyên vẹn từ khi ký', 'ĐÃ BỊ THAY ĐỔI sau khi ký')}",
              f"  Chữ ký: {_yes(check.valid, 'hợp lệ', 'KHÔNG hợp lệ') if check.intact else 'không còn khớp với nội dung'}",
              f"  Chuỗi chứng thư: {_yes(check.trusted, 'tin cậy', 'KHÔNG tin cậy')}"]
    return lines


def verify_command(config: Config, pdf: Path, trust: list[Path], *, out: TextIO, quiet: bool = False) -> int:
    """Check every signature of `pdf` against --trust and [signing] trust_roots; 0 when all hold."""
    paths = [config.base_dir / p if not Path(p).is_absolute() else Path(p) for p in config["signing.trust_roots"]]
    roots = load_roots([*trust, *paths])
    report = verify_pdf(pdf, roots)
    if not quiet:
        print(f"{pdf}: {len(report.checks)} chữ ký số", file=out)
        for number, check in enumerate(report.checks, start=1):
            for line in format_check(number, check):
                print(line, file=out)
    if report.ok:
        if not quiet:
            print("Kết luận: mọi chữ ký số còn nguyên vẹn và được tin cậy.", file=out)
        return EXIT_OK
    print(f"Kết luận: KHÔNG đạt. {report.problem}", file=out)
    if any(c.intact and c.valid and not c.trusted for c in report.checks):
        print(f"Gợi ý: {TRUST_HINT}", file=out)
    return EXIT_DATA_ISSUES
