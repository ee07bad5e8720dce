"""The outbox's claims between real processes: a live holder is respected, a dead one leaves its message in doubt."""

import datetime as dt
import os
import signal
import subprocess
import sys

from tests.faults import ROOT
from thidua.base import owner
from thidua.base.ledger import Ledger
from thidua.delivery.outbox import CLAIMED, DONE, ELSEWHERE, Outbox

_HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from thidua.base.ledger import Ledger
from thidua.delivery.outbox import Outbox
with Ledger({path!r}) as ledger:
    outbox = Outbox(ledger, "k", "pdf", "output/a.pdf")
    outbox.claim([("an@x.vn", "An", "<first@x>"), ("binh@x.vn", "Bình", "<b@x>")], force=False)
    outbox.sending("an@x.vn")  # handed to the server, no 250 yet
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_live_claim_is_respected_and_a_dead_ones_message_is_in_doubt_with_its_id(tmp_path):
    path = tmp_path / "l.sqlite3"
    Ledger(path).close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER.format(root=str(ROOT), path=str(path))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with Ledger(path) as ledger:
            slots = Outbox(ledger, "k", "pdf", "output/a.pdf").claim(
                [("an@x.vn", "An", "<second@x>"), ("binh@x.vn", "Bình", "<b2@x>")], force=True)
            assert {s.state for s in slots.values()} == {ELSEWHERE}  # even --force never sends beside it
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    with Ledger(path) as ledger:
        outbox = Outbox(ledger, "k", "pdf", "output/a.pdf")
        slots = outbox.claim([("an@x.vn", "An", "<second@x>"), ("binh@x.vn", "Bình", "<b2@x>")], force=False)
        assert (slots["an@x.vn"].state, slots["an@x.vn"].in_doubt, slots["an@x.vn"].message_id) == (
            CLAIMED, True, "<first@x>")
        assert (slots["binh@x.vn"].state, slots["binh@x.vn"].in_doubt) == (CLAIMED, False)  # never handed over
        outbox.finish("an@x.vn", "sent")
        outbox.abandon()
        again = Outbox(ledger, "k", "pdf", "output/a.pdf").claim([("an@x.vn", "An", "<third@x>")], force=False)
        assert again["an@x.vn"].state == DONE


def test_a_process_identity_outlives_neither_its_process_nor_a_reused_pid():
    me = owner.current()
    assert owner.alive(me)
    proc = subprocess.Popen([sys.executable, "-c", "from thidua.base import owner; print(owner.current())"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    token = proc.communicate()[0].strip()
    assert token.split("|")[2] == str(proc.pid) and not owner.alive(token)
    host, boot, pid, ticks = me.split("|")
    assert not owner.alive(f"{host}|{boot}|{pid}|{int(ticks or 0) + 1}")  # same pid, another start: not us
    just_now = dt.datetime.now().isoformat(timespec="seconds")
    assert owner.alive("autre-machine|x|1|1", claimed_at=just_now)  # another host cannot be asked: trusted a while
    assert not owner.alive("autre-machine|x|1|1", claimed_at="2020-01-01T00:00:00")
