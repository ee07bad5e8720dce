"""Batch and watch rebuild the cluster report when a member's year-end result changes, and only then."""

from __future__ import annotations

import io
import shutil
import threading

import pytest

from tests import cluster_fixtures as cf
from tests.inbox_fakes import ROOT, wait_until
from thidua.base.config import build_config
from thidua.cli import drop_folder

pytestmark = pytest.mark.slow


def config_for(tmp_path, templates=None, **cluster):
    data = {"paths": {"input_dir": str(tmp_path / "input"), "output_dir": str(tmp_path / "output"),
                      "templates_dir": str(templates or ROOT / "templates")},
            "ledger": {"path": str(tmp_path / "output" / "thidua.sqlite3")},
            "inbox": {"workers": 2, "stable_seconds": 0.1},
            "email": {"outbox_dir": str(tmp_path / "output" / "thu-di")},
            "cluster": cf.cluster_settings(contacts=[], **cluster)}
    config = build_config(data, tmp_path)
    config.input_dir.mkdir(parents=True)
    return config


def test_watch_rebuilds_the_year_once_the_dropped_files_are_done(tmp_path):
    config = config_for(tmp_path)
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=drop_folder.watch, args=(config, out), kwargs={"stop_event": stop})
    thread.start()
    try:
        wait_until(lambda: "Đang theo dõi" in out.getvalue(), timeout=60)
        cf.workbook(tmp_path, "An Giang", 2023, [100] * 8)
        shutil.move(tmp_path / "an-giang-2023.xlsx", config.input_dir / "an-giang-2023.xlsx")
        wait_until(lambda: "Đã cập nhật báo cáo Cụm năm 2023" in out.getvalue(), timeout=90)
        assert (config.output_dir / "cum-thi-dua-2023.pdf").is_file()
        assert "(1 tỉnh được xếp hạng; chưa gửi báo cáo: Bến Tre, Cà Mau, Đồng Tháp, Hậu Giang, Trà Vinh, Vĩnh Long" in out.getvalue()
        cf.workbook(tmp_path, "Bến Tre", 2023, [90] * 8)
        shutil.move(tmp_path / "ben-tre-2023.xlsx", config.input_dir / "ben-tre-2023.xlsx")
        wait_until(lambda: out.getvalue().count("Đã cập nhật báo cáo Cụm năm 2023") == 2, timeout=90)
        assert "(2 tỉnh được xếp hạng;" in out.getvalue()
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive() and "Đã dừng theo dõi." in out.getvalue()
    lines = out.getvalue().splitlines()
    # each rebuild follows the file it was made for
    assert [i for i, line in enumerate(lines) if "an-giang-2023.xlsx  xong" in line][0] < [
        i for i, line in enumerate(lines) if "Đã cập nhật báo cáo Cụm" in line][0]


def test_a_result_outside_the_cluster_rebuilds_nothing_and_auto_can_be_off(tmp_path):
    config = config_for(tmp_path)
    cf.workbook(config.input_dir, "Bình Dương", 2023, [100] * 8)
    out = io.StringIO()
    assert drop_folder.run_inbox(config, out=out) == 0
    assert "báo cáo Cụm" not in out.getvalue() and not (config.output_dir / "cum-thi-dua-2023.pdf").exists()
    off = config_for(tmp_path / "off", auto=False)
    cf.workbook(off.input_dir, "An Giang", 2023, [100] * 8)
    assert drop_folder.run_inbox(off, out=out) == 0
    assert not (off.output_dir / "cum-thi-dua-2023.pdf").exists()


def test_a_failed_rebuild_is_reported_and_never_fails_the_province_file(tmp_path):
    templates = tmp_path / "mau"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "cluster" / "report.html.j2").write_text("{% if %}", encoding="utf-8")  # an officer's typo
    config = config_for(tmp_path, templates)
    cf.workbook(config.input_dir, "An Giang", 2023, [100] * 8)
    out = io.StringIO()
    assert drop_folder.run_inbox(config, out=out, quiet=True) == 0
    assert (config.output_dir / "an-giang-2023.pdf").is_file()
    assert (config.input_dir / "da-xu-ly" / "an-giang-2023.xlsx").is_file()
    assert not (config.output_dir / "cum-thi-dua-2023.pdf").exists()
    [line] = out.getvalue().splitlines()
    assert line.startswith("Không cập nhật được báo cáo Cụm năm 2023 (lỗi chương trình: RenderError: Mẫu báo cáo bị "
                           "lỗi (dòng 1)")
    assert line.endswith("báo cáo của các tỉnh không bị ảnh hưởng. Làm lại: python generate_report.py cluster --year 2023")


def test_a_rebuild_refreshes_the_json_written_before(tmp_path):
    import json

    from thidua.pipeline import build_cluster_report

    config = config_for(tmp_path)
    cf.workbook(config.input_dir, "An Giang", 2023, [100] * 8)
    assert drop_folder.run_inbox(config, out=io.StringIO()) == 0
    build_cluster_report(config, write_json=True)
    document = config.output_dir / "cum-thi-dua-2023.json"
    assert [r["province"] for r in json.loads(document.read_text(encoding="utf-8"))["ranking"]] == ["An Giang"]
    cf.workbook(config.input_dir, "Bến Tre", 2023, [100] * 7 + [0])
    assert drop_folder.run_inbox(config, out=io.StringIO()) == 0
    assert [r["province"] for r in json.loads(document.read_text(encoding="utf-8"))["ranking"]] == ["An Giang", "Bến Tre"]
