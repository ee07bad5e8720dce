"""The web pages in a real browser (Debian's headless Chromium via Selenium) against the real server."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import EXAMPLE, ROOT
from tests.inbox_fakes import wait_until
from tests.web_tools import PASSWORD, Client, browser_missing, chromium, running_server, web_config

pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(browser_missing()), reason=browser_missing() or "ok")]
DOCS = ROOT / "docs"


def bad_workbook(path: Path) -> Path:
    """The example with a plan typed in words in Tiêu chí!F5, an ambiguous figure and a blank kind."""
    book = load_workbook(EXAMPLE)
    sheet = book["Tiêu chí"]
    sheet["F5"] = "bảy phẩy năm"
    sheet["G7"] = "1,234.5"
    sheet["E9"] = None
    book.save(path)
    return path


def province_workbook(path: Path, province: str) -> Path:
    book = load_workbook(EXAMPLE)
    sheet = book["Thông tin"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Tỉnh/Đơn vị")
    sheet.cell(row, 2).value = province
    book.save(path)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    config = web_config(tmp)
    with running_server(config) as server:
        yield server, config, tmp


def log_in(driver, url: str, name: str) -> None:
    driver.get(url + "dang-nhap")
    driver.find_element("name", "name").send_keys(name)
    driver.find_element("name", "password").send_keys(PASSWORD)
    driver.find_element("css selector", "form.login button[type=submit]").click()
    wait_until(lambda: "/dang-nhap" not in driver.current_url, timeout=20)


def upload(driver, url: str, path: Path) -> None:
    driver.get(url)
    driver.find_element("id", "workbook").send_keys(str(path))
    driver.find_element("css selector", "#upload-form button[type=submit]").click()
    wait_until(lambda: "/ket-qua/" in driver.current_url, timeout=120)


def downloaded(folder: Path, suffix: str, timeout: float = 30) -> Path:
    def done() -> list[Path]:
        return [p for p in folder.glob("*" + suffix) if not p.name.endswith(".crdownload")]
    wait_until(lambda: done(), timeout=timeout)
    time.sleep(0.2)
    return done()[0]


def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/ for `make screenshots` (THIDUA_UPDATE_DOCS=1), else the test's folder, so
    a plain test run leaves the checkout clean."""
    return DOCS if os.environ.get("THIDUA_UPDATE_DOCS") == "1" else tmp_path


def screenshot(driver, target: Path) -> None:
    """The whole page at 1280 px wide, as the README shows it (Chromium's DevTools: beyond the viewport)."""
    import base64

    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": int(height), "deviceScaleFactor": 1, "mobile": False})
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    data = base64.b64decode(shot["data"])
    assert data.startswith(b"\x89PNG") and len(data) > 10_000  # a real page was drawn
    target.write_bytes(data)


def test_upload_page_and_the_blank_template(site, tmp_path):
    server, _, _ = site
    with chromium(tmp_path) as driver:
        log_in(driver, server.url, "dongthap")
        assert "Gửi tệp Excel báo cáo thi đua" in driver.page_source
        driver.find_element("link text", "Tải mẫu Excel trống").click()
        template = downloaded(tmp_path, ".xlsx")
    assert template.name == "mau-tieu-chi-thi-dua.xlsx"
    assert load_workbook(template).sheetnames == ["Hướng dẫn", "Thông tin", "Tiêu chí", "Điểm trừ"]


def test_a_good_workbook_gives_a_pdf_that_downloads(site, tmp_path):
    server, _, _ = site
    with chromium(tmp_path) as driver:
        log_in(driver, server.url, "dongthap")
        upload(driver, server.url, EXAMPLE)
        page = driver.page_source
        assert "Xem trước báo cáo" in page and "Tổng điểm" in page
        assert driver.find_element("css selector", "iframe.pdf").get_attribute("src").startswith(server.url + "xem/")
        driver.find_element("partial link text", "Tải báo cáo PDF").click()
        pdf = downloaded(tmp_path, ".pdf", timeout=60)
    assert pdf.name == "dong-thap-2022.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:" in info and "PDF version" in info


def test_a_bad_workbook_shows_each_cell_without_javascript(site, tmp_path):
    server, _, _ = site
    bad = bad_workbook(tmp_path / "dong-thap-sai.xlsx")
    with chromium(tmp_path, javascript=False) as driver:
        log_in(driver, server.url, "dongthap")
        upload(driver, server.url, bad)
        text = driver.find_element("tag name", "main").text
        assert "Tiêu chí!F5" in text
        assert '"bảy phẩy năm" không phải là số' in text and "non-numeric" in text
        screenshot(driver, shots(tmp_path) / "web-loi.png")
        driver.find_element("partial link text", "bản sao tô đỏ ô lỗi").click()
        copy = downloaded(tmp_path, ".loi.xlsx")
        driver.get(server.url)
        assert "dong-thap-sai.xlsx" in driver.find_element("tag name", "main").text  # the recent files
        screenshot(driver, shots(tmp_path) / "web-tai-len.png")
    assert copy.name == "dong-thap-sai.loi.xlsx" and "Lỗi" in load_workbook(copy).sheetnames


def test_a_province_sees_neither_another_provinces_report_nor_a_crafted_path(site, tmp_path):
    server, _, _ = site
    other = Client(server.url)
    other.login("angiang")
    status, where, _ = other.upload("an-giang-2022.xlsx", province_workbook(tmp_path / "ag.xlsx", "An Giang").read_bytes())
    assert status == 200 and "/ket-qua/" in where
    file_id = int(where.rsplit("/", 1)[1])
    with chromium(tmp_path) as driver:
        log_in(driver, server.url, "dongthap")
        for path in (f"ket-qua/{file_id}", f"tai-ve/{file_id}/0", f"xem/{file_id}/0", "tinh/An Giang",
                     "bao-cao?tinh=An+Giang"):
            driver.get(server.url + path)
            assert "Không có quyền xem (403)" in driver.find_element("tag name", "body").text, path
        for path in ("tep-tinh/..%2f..%2fconfig.toml", "tep-tinh/%2e%2e/%2e%2e/output/thidua.sqlite3",
                     f"tai-ve/{file_id}/..%2f..%2fthidua.sqlite3", "output/thidua.sqlite3", "tep-tinh/"):
            driver.get(server.url + path)
            body = driver.find_element("tag name", "body").text
            assert "Không tìm thấy (404)" in body, path
            assert "SQLite" not in driver.page_source and "[scoring]" not in driver.page_source
        driver.get(server.url + "bao-cao")
        assert "An Giang" not in driver.find_element("tag name", "main").text
    assert other.get("/bao-cao")[2].count("An Giang") >= 1


def test_a_form_without_its_csrf_token_is_refused(site, tmp_path):
    server, _, _ = site
    with chromium(tmp_path, javascript=False) as driver:
        log_in(driver, server.url, "dongthap")
        driver.get(server.url)
        driver.execute_script("document.querySelector('#upload-form input[name=csrf_token]').remove()")
        driver.find_element("id", "workbook").send_keys(str(EXAMPLE))
        driver.find_element("css selector", "#upload-form button[type=submit]").click()
        wait_until(lambda: "Yêu cầu không hợp lệ <span class=\"code\">(400)</span>" in driver.page_source, timeout=20)


def test_an_oversized_upload_is_answered_413_in_vietnamese(site, tmp_path):
    server, config, _ = site
    big = tmp_path / "qua-lon.xlsx"
    big.write_bytes(b"PK" + b"\0" * (int(config["web.max_upload_mb"]) * 1024 * 1024 + 10))
    with chromium(tmp_path, javascript=False) as driver:
        log_in(driver, server.url, "dongthap")
        driver.get(server.url)
        driver.find_element("id", "workbook").send_keys(str(big))
        driver.find_element("css selector", "#upload-form button[type=submit]").click()
        wait_until(lambda: "Tệp quá lớn <span class=\"code\">(413)</span>" in driver.page_source, timeout=60)
        assert "vượt giới hạn 20 MB" in driver.find_element("tag name", "body").text
    assert not list(config.input_dir.rglob("qua-lon*"))
