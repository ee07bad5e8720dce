"""Mail under faults, for real: kill -9 mid-mailing, the same workbook under other names, two runs at once,
a tarpit, a server that hangs up after DATA or answers 451. Every member gets the report exactly once, or is
reported in doubt and gets it (same Message-ID) on `send --pending`."""

import os
import shutil
import signal
import time

import pytest

from tests.faults import (
    EXAMPLE,
    MEMBERS,
    BusyAtData,
    DropAfterData,
    Slow,
    SlowThird,
    Tarpit,
    cli,
    files_in,
    message_ids,
    no_traceback,
    plain_server,
    start_cli,
    wait_for,
    write_config,
)
from tests.mailtools import make_assessment, make_config, make_pdf
from thidua.base.ledger import Ledger
from thidua.base.model import Submission
from thidua.delivery.mailing import deliver_report

pytestmark = [pytest.mark.slow]
EMAILS = [email for _, email in MEMBERS]


@pytest.fixture
def server():
    started = []

    def start(handler):
        controller = plain_server(handler)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


def _deliveries(tmp_path):
    with Ledger(tmp_path / "output" / "thidua.sqlite3") as ledger:
        return {d.email: d for d in ledger.deliveries()}


def test_kill_9_mid_mailing_leaves_the_rest_pending_and_the_one_in_flight_in_doubt(tmp_path, server):
    handler = SlowThird(nth=3)
    controller = server(handler)
    cfg = write_config(tmp_path, port=controller.port)
    source = shutil.copy(EXAMPLE, tmp_path / "hau-giang-2023.xlsx")
    proc = start_cli("run", str(source), "--send", config=cfg)
    try:
        wait_for(handler.holding.is_set, timeout=120)  # the third message's content is in, its 250 held back
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert [m.rcpt_tos for m in handler.received] == [[e] for e in EMAILS[:3]]
    rows = _deliveries(tmp_path)
    assert [rows[e].status for e in EMAILS] == ["sent", "sent", "sending", "pending", "pending"]

    handler.release.set()
    done = cli("send", "--pending", config=cfg)
    no_traceback(done)
    assert done.returncode == 0, done.stdout + done.stderr
    head = done.stdout.splitlines()[0]
    assert head.startswith("hau-giang-2023.pdf: đã gửi 3 thư; 1 thư trong số đó đã được gửi lại vì lần gửi trước "
                           "bị ngắt giữa chừng, chưa rõ đã tới hay chưa (cùng Message-ID"), head
    ids = message_ids(handler.received)
    assert {e: len(v) for e, v in ids.items()} == {EMAILS[0]: 1, EMAILS[1]: 1, EMAILS[2]: 2, EMAILS[3]: 1,
                                                   EMAILS[4]: 1}
    assert ids[EMAILS[2]][0] == ids[EMAILS[2]][1]  # the duplicate merges in any mail client
    assert {d.status for d in _deliveries(tmp_path).values()} == {"sent"}

    done = cli("send", "--pending", config=cfg)
    assert (done.returncode, done.stdout) == (0, "Không có thư nào còn treo.\n")
    done = cli("run", str(source), "--send", config=cfg)  # the interrupted run again: nothing mailed twice
    no_traceback(done)
    assert done.returncode == 0 and "5 thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại" in done.stdout
    assert len(handler.received) == 6


def test_the_same_content_under_other_names_is_never_mailed_twice(tmp_path, server):
    handler = Slow(0.0)
    controller = server(handler)
    cfg = write_config(tmp_path, port=controller.port, email__enabled=True)
    inbox = tmp_path / "input"
    shutil.copy(EXAMPLE, inbox / "hau-giang-2023.xlsx")
    first = cli(config=cfg)
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(handler.received) == 5

    shutil.copy(EXAMPLE, inbox / "cham.xlsx")  # the same bytes under another name: its own report, no mail
    second = cli(config=cfg)
    assert second.returncode == 0 and "5 thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại" in second.stdout
    clean = shutil.copy(EXAMPLE, tmp_path / "hau-giang-2023-clean.xlsx")
    third = cli("run", str(clean), "--send", config=cfg)
    assert third.returncode == 0 and "không gửi lại" in third.stdout
    shutil.copy(EXAMPLE, inbox / "hau-giang-2023.xlsx")  # the first name again: its result is reused
    fourth = cli(config=cfg)
    assert fourth.returncode == 0 and "đã xử lý trước đó, dùng lại kết quả" in fourth.stdout, fourth.stdout
    pending = cli("send", "--pending", config=cfg)
    assert (pending.returncode, pending.stdout) == (0, "Không có thư nào còn treo.\n")
    resend = cli("send", str(tmp_path / "output" / "cham.pdf"), config=cfg)  # another rendering, same content
    assert resend.returncode == 0 and "5 thư đã gửi (hoặc bị từ chối) trước đó" in resend.stdout
    for done in (first, second, third, fourth, pending, resend):
        no_traceback(done)
    assert {e: len(v) for e, v in message_ids(handler.received).items()} == dict.fromkeys(EMAILS, 1)
    assert files_in(inbox / "da-xu-ly") == ["cham.xlsx", "hau-giang-2023 (2).xlsx", "hau-giang-2023.xlsx"]


def test_two_runs_of_the_same_workbook_at_once_mail_each_member_once(tmp_path, server):
    handler = Slow(0.4)  # each 250 takes a while: the two runs overlap while mailing
    controller = server(handler)
    cfg = write_config(tmp_path, port=controller.port)
    source = shutil.copy(EXAMPLE, tmp_path / "a.xlsx")
    procs = [start_cli("run", str(source), "--send", config=cfg) for _ in range(2)]
    results = [(p.wait(timeout=180), *p.communicate()) for p in procs]
    for code, out, err in results:
        no_traceback((out, err))
        assert code == 0, out + err
    assert {e: len(v) for e, v in message_ids(handler.received).items()} == dict.fromkeys(EMAILS, 1)
    said = " ".join(out for _, out, _ in results)
    assert said.count("đã gửi 5 thư.") == 1, said  # one run sent; the other saw its claim (or its result)
    assert "5 thư đang được một tiến trình khác gửi, không gửi trùng" in said or "không gửi lại" in said, said


def test_a_tarpit_cannot_hold_send_past_the_deadline_and_the_mail_stays_pending(tmp_path):
    pdf = make_pdf(tmp_path / "output" / "dong-thap-2022.pdf")
    with Tarpit(every=0.3) as tarpit:
        config = make_config(tmp_path, tarpit.port, security="none", username="", timeout=1, retries=1,
                             retry_backoff=0.2)
        started = time.monotonic()
        with Ledger(config.path("ledger.path")) as ledger:
            summary = deliver_report(make_assessment(), pdf, config, send=True, dry_run=False, force=False,
                                     ledger=ledger)
        elapsed = time.monotonic() - started
        assert tarpit.connections == 2  # the attempt and its one retry
        assert elapsed < 4.0, elapsed  # 2 × 1 s + 0,2 s back-off, not "forever"
        assert summary.pending == 3
        assert (f"hết thời gian chờ máy chủ SMTP 127.0.0.1:{tarpit.port} (quá 1 giây cho một bước)"
                in summary.problems[0])

        started = time.monotonic()
        out, code = _send_pending(config)  # `send --pending` against the same tarpit ends as soon
        assert time.monotonic() - started < 4.0 and code == 1
        assert out.splitlines()[0] == "dong-thap-2022.pdf: đã gửi 0 thư; 3 thư còn treo."
    with Ledger(config.path("ledger.path")) as ledger:
        assert {d.status for d in ledger.deliveries()} == {"pending"}


def test_a_server_that_hangs_up_after_data_leaves_it_in_doubt_and_the_retry_uses_the_same_id(tmp_path, server):
    handler = DropAfterData(drops=1)
    config, summary = _mail_once(tmp_path, server(handler).port)
    with Ledger(config.path("ledger.path")) as ledger:
        assert (summary.sent, summary.pending) == (0, 3)
        assert summary.messages[0] == "r.pdf: đã gửi 0 thư; 3 thư còn treo (1 trong số đó chưa rõ đã tới hay chưa)."
        assert summary.problems[0].startswith("  Còn treo (chưa rõ lần gửi trước đã tới hay chưa): Nguyễn Văn An")
        rows = {d.email: d for d in ledger.deliveries()}
        assert rows["an.nv@dongthap.example"].in_doubt and not rows["bich.tt@dongthap.example"].in_doubt
        first_id = rows["an.nv@dongthap.example"].message_id
    out, code = _send_pending(config)
    assert code == 0 and "1 thư trong số đó đã được gửi lại" in out, out
    ids = message_ids(handler.received)
    assert ids["an.nv@dongthap.example"] == [first_id, first_id]
    assert [len(ids[e]) for e in ("bich.tt@dongthap.example", "dung.pt@dongthap.example")] == [1, 1]


def test_451_at_the_end_of_data_stays_pending_and_is_sent_once_later(tmp_path, server):
    handler = BusyAtData(times=3)
    config, summary = _mail_once(tmp_path, server(handler).port)
    assert summary.pending == 3 and summary.in_doubt == 0  # a clear "not now" is not a doubt
    assert "máy chủ SMTP trả lời 451 4.3.0 Hệ thống bận, thử lại sau" in summary.problems[0]
    out, code = _send_pending(config)
    assert code == 0 and out.splitlines()[0] == "r.pdf: đã gửi 3 thư."
    assert sorted(r for m in handler.received for r in m.rcpt_tos) == [
        "an.nv@dongthap.example", "bich.tt@dongthap.example", "dung.pt@dongthap.example"]


def test_a_rerendered_report_of_the_same_content_is_not_mailed_again(tmp_path, server):
    """A signature or a re-render changes the PDF's bytes; the mail is keyed by the workbook and settings."""
    handler = Slow(0.0)
    controller = server(handler)
    config = make_config(tmp_path, controller.port, security="none", username="", retries=0)
    assessment = make_assessment()
    assessment.submission = Submission(assessment.submission.meta, assessment.submission.criteria,
                                       assessment.submission.deductions, sha256="ab" * 32)
    with Ledger(config.path("ledger.path")) as ledger:
        for text in ("lần 1", "lần 2 (ký số)"):
            pdf = make_pdf(tmp_path / "output" / "r.pdf", text)
            summary = deliver_report(assessment, pdf, config, send=True, dry_run=False, force=False, ledger=ledger)
        assert (summary.sent, summary.skipped) == (0, 3)
        forced = deliver_report(assessment, pdf, config, send=True, dry_run=False, force=True, ledger=ledger)
    assert forced.sent == 3 and len(handler.received) == 6


def _mail_once(tmp_path, port):
    """Mail output/r.pdf to the three members over plain SMTP, without retries: (config, summary)."""
    pdf = make_pdf(tmp_path / "output" / "r.pdf")
    config = make_config(tmp_path, port, security="none", username="", retries=0)
    with Ledger(config.path("ledger.path")) as ledger:
        summary = deliver_report(make_assessment(), pdf, config, send=True, dry_run=False, force=False,
                                 ledger=ledger)
    return config, summary


def _send_pending(config):
    import io

    from thidua.cli.mail_output import send_command

    out = io.StringIO()
    code = send_command(config, report=None, pending=True, dry_run=False, force=False, out=out)
    return out.getvalue(), code
