"""Atomic writes: all or nothing, and the file is readable like any other new file."""

import os
import stat

import pytest

from thidua.base import atomic


def test_written_file_gets_the_umask_mode_not_0600(tmp_path):
    target = atomic.write_bytes(tmp_path / "bao-cao.pdf", b"%PDF-1.7")
    mode = stat.S_IMODE(os.stat(target).st_mode)
    assert mode == 0o666 & ~atomic._UMASK
    assert mode & stat.S_IRGRP or atomic._UMASK & 0o040  # group can read unless the umask forbids it


def test_failure_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "bao-cao.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.pdf"]
