"""The web app in-process (Flask's test client) over the real upload worker, pipeline and ledger."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from tests.conftest import EXAMPLE, ROOT
from tests.inbox_fakes import distinct_copy, wait_until
from tests.web_tools import PASSWORD, running_server, web_config
from thidua.base.ledger import Ledger
from thidua.web.uploads import safe_name

pytestmark = pytest.mark.slow


def workbook_of(tmp, province: str, name: str = "x.xlsx"):
    book = load_workbook(EXAMPLE)
    sheet = book["Thông tin"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Tỉnh/Đơn vị")
    sheet.cell(row, 2).value = province
    book.properties.title = name  # different bytes for each name: never a duplicate by accident
    book.save(tmp / name)
    return (tmp / name).read_bytes()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    config = web_config(tmp, cluster={"name": "Cụm thi đua các tỉnh Tây Nam Bộ"})
    with running_server(config) as server:
        yield server, config, tmp


def client_for(server, name: str | None):
    client = server.app.test_client()
    if name is not None:
        token = csrf(client, "/dang-nhap")
        answer = client.post("/dang-nhap", data={"csrf_token": token, "name": name, "password": PASSWORD})
        assert answer.status_code == 303, answer.text
    return client


def csrf(client, path: str = "/") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def send(client, filename: str, data: bytes):
    """Upload and follow to the result page (the progress page waits for the worker)."""
    answer = client.post("/tai-len", data={"csrf_token": csrf(client), "workbook": (__import__("io").BytesIO(data), filename)},
                         content_type="multipart/form-data")
    if answer.status_code != 303:
        return answer
    location = answer.headers["Location"]
    for _ in range(60):
        answer = client.get(location)
        if answer.status_code != 200 or "/ket-qua/" in location:
            if answer.status_code == 303:
                location = answer.headers["Location"]
                continue
            return answer
    raise AssertionError("no result")


def file_id(answer) -> int:
    return int(re.search(r"/tai-ve/(\d+)/", answer.text).group(1))


def test_safe_names_are_never_paths():
    assert safe_name("dong-thap-2022.xlsx") == "dong-thap-2022.xlsx"
    assert safe_name("Báo cáo Đồng Tháp 2022.XLSX") == "Báo cáo Đồng Tháp 2022.xlsx"
    assert safe_name("../../etc/passwd") == "passwd.xlsx"
    assert safe_name("..\\..\\x.xls") == "x.xlsx"
    assert safe_name("C:\\Users\\a\\b.loi.xlsx") == "b.loi.xlsx"
    assert safe_name("<script>alert(1)</script>.xlsx") == "script.xlsx"  # after the last /
    assert safe_name("a<b>c|d.xlsx") == "abcd.xlsx"
    assert safe_name(".hidden.xlsx") == "hidden.xlsx" and safe_name("~$lock.xlsx") == "lock.xlsx"
    assert safe_name("") == safe_name(None) == safe_name(".xlsx") == safe_name("../") == "tai-len.xlsx"
    assert safe_name("a\x00b\nc\u202e.xlsx") == "abc.xlsx"
    assert len(safe_name("x" * 500 + ".xlsx")) == 85


def test_every_page_needs_a_login_once_accounts_exist(site):
    server, _, _ = site
    client = server.app.test_client()
    for path in ("/", "/bao-cao", "/mau-excel", "/huong-dan", "/ket-qua/1", "/tai-ve/1/0", "/xem/1/0", "/tinh/An Giang"):
        answer = client.get(path)
        assert answer.status_code == 303 and "/dang-nhap" in answer.headers["Location"], path
    assert client.get("/tep-tinh/web.css").status_code == 200  # the login page's style
    assert client.get("/dang-nhap").status_code == 200
    answer = client.post("/tai-len", data={})
    assert answer.status_code == 400  # no token: refused before anything else


def test_session_cookie_security_headers_and_csrf(site):
    server, _, _ = site
    client = server.app.test_client()
    page = client.get("/dang-nhap")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in page.text.replace('<script src="/tep-tinh/web.js" defer></script>', "")
    for data in ({"name": "quantri", "password": PASSWORD}, {"csrf_token": "sai", "name": "quantri", "password": PASSWORD}):
        answer = client.post("/dang-nhap", data=data)
        assert answer.status_code == 400 and "Yêu cầu không hợp lệ" in answer.text
    logged = client_for(server, "quantri")
    assert logged.post("/dang-xuat", data={}).status_code == 400
    assert logged.post("/dang-xuat", data={"csrf_token": csrf(logged)}).status_code == 303
    assert logged.get("/").status_code == 303  # logged out


def test_login_attempts_are_rate_limited(site):
    server, _, _ = site
    client = server.app.test_client()
    for _ in range(5):
        answer = client.post("/dang-nhap", data={"csrf_token": csrf(client, "/dang-nhap"), "name": "angiang",
                                                 "password": "sai-mat-khau"})
        assert answer.status_code == 401 and "không đúng" in answer.text
    answer = client.post("/dang-nhap", data={"csrf_token": csrf(client, "/dang-nhap"), "name": "angiang",
                                             "password": PASSWORD})
    assert answer.status_code == 429 and "quá nhiều lần" in answer.text
    server.app.extensions["thidua"].limiter._failures.clear()


def test_an_upload_goes_through_the_drop_folder_and_the_ledger(site, tmp_path):
    server, config, _ = site
    client = client_for(server, "dongthap")
    answer = send(client, "../../Đồng Tháp 2022.xlsx", EXAMPLE.read_bytes())
    assert answer.status_code == 200 and "Tải báo cáo PDF" in answer.text and "Tổng điểm" in answer.text
    assert (config.input_dir / "da-xu-ly" / "Đồng Tháp 2022.xlsx").is_file()
    assert (config.output_dir / "Đồng Tháp 2022.pdf").is_file() and not list(tmp_path.parent.glob("*.pdf"))
    assert answer.text.count("Đã soạn thư xem trước (.eml), chưa gửi thật") == 2 and "Lê Văn Cường" in answer.text
    assert len(list((config.output_dir / "thu-di" / "Đồng Tháp 2022").glob("*.eml"))) == 2
    first = file_id(answer)
    pdf = client.get(f"/tai-ve/{first}/0")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    shown = client.get(f"/xem/{first}/0")
    assert shown.status_code == 200 and shown.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    again = send(client, "Đồng Tháp 2022.xlsx", EXAMPLE.read_bytes())  # same bytes and name: the recorded result
    assert "dùng lại kết quả" in again.text and file_id(again) != first
    with Ledger(config.path("ledger.path")) as ledger:
        records = {r.id: r for r in ledger.files()}
    assert records[file_id(again)].reused_from == first and records[first].province == "Đồng Tháp"


def test_a_bad_workbook_lists_what_check_lists(site, tmp_path):
    server, config, _ = site
    book = load_workbook(EXAMPLE)
    book["Tiêu chí"]["F5"] = "bảy phẩy năm"
    book["Thông tin"]["B3"] = "abc"  # the year
    book.save(tmp_path / "sai.xlsx")
    answer = send(client_for(server, "dongthap"), "sai.xlsx", (tmp_path / "sai.xlsx").read_bytes())
    checked = subprocess.run([sys.executable, str(ROOT / "generate_report.py"), "check", "--json", str(tmp_path / "sai.xlsx")],
                             capture_output=True, text=True, cwd=tmp_path)
    expected = json.loads(checked.stdout)
    assert checked.returncode == 1 and len(expected) >= 2
    for issue in expected:
        assert issue["cell"] in answer.text and issue["code"] in answer.text
        assert issue["message"].replace('"', "&#34;") in answer.text
    assert "Tải bản sao tô đỏ ô lỗi (.loi.xlsx)" in answer.text
    assert (config.input_dir / "loi" / "sai.xlsx").is_file()


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken"])
def test_a_hostile_file_is_refused_as_check_refuses_it(site, tmp_path, content):
    server, _, _ = site
    (tmp_path / "doc.xlsx").write_bytes(content)
    checked = subprocess.run([sys.executable, str(ROOT / "generate_report.py"), "check", "--json", str(tmp_path / "doc.xlsx")],
                             capture_output=True, text=True, cwd=tmp_path)
    [expected] = json.loads(checked.stdout)
    answer = send(client_for(server, "quantri"), "doc.xlsx", content)
    assert checked.returncode == 3 and "Tệp bị từ chối" in answer.text
    assert expected["message"].replace('"', "&#34;") in answer.text and expected["code"] in answer.text


def test_a_province_uploads_and_sees_only_its_own(site, tmp_path):
    server, config, _ = site
    angiang, dongthap, admin = (client_for(server, n) for n in ("angiang", "dongthap", "quantri"))
    theirs = send(angiang, "bao-cao.xlsx", workbook_of(tmp_path, "An Giang", "ag.xlsx"))
    assert theirs.status_code == 200 and "An Giang" in theirs.text
    refused = send(dongthap, "bao-cao.xlsx", workbook_of(tmp_path, "An Giang", "ag2.xlsx"))
    assert refused.status_code == 403 and "chỉ được gửi báo cáo của Đồng Tháp" in refused.text
    mine = send(dongthap, "bao-cao.xlsx", workbook_of(tmp_path, "Đồng Tháp", "dt.xlsx"))
    assert mine.status_code == 200
    # the same file name, two provinces: neither report overwrites the other
    assert (config.output_dir / "bao-cao.pdf").is_file() and (config.output_dir / "bao-cao (2).pdf").is_file()
    ag = file_id(theirs)
    for path in (f"/ket-qua/{ag}", f"/tai-ve/{ag}/0", f"/xem/{ag}/0", "/tinh/An Giang", "/tinh/an giang",
                 "/bao-cao?tinh=An+Giang"):
        assert dongthap.get(path).status_code == 403, path
    assert dongthap.get("/ket-qua/99999").status_code == 404
    assert dongthap.get(f"/tai-ve/{file_id(mine)}/7").status_code == 404
    listing = dongthap.get("/bao-cao").text
    assert "Đồng Tháp" in listing and "An Giang" not in listing
    everything = admin.get("/bao-cao").text
    assert "An Giang" in everything and "Đồng Tháp" in everything
    assert admin.get("/bao-cao?tinh=An+Giang&nam=2022").text.count("/ket-qua/") == 1
    assert admin.get(f"/ket-qua/{ag}").status_code == 200 and angiang.get("/tinh/An Giang").status_code == 200
    board = re.sub(r"\s+", " ", admin.get("/cum").text)  # the cluster ranking, from the same ledger
    assert "xếp hạng năm 2022" in board and board.index("An Giang") > 0 and "Đồng Tháp" in board
    seen = re.sub(r"\s+", " ", dongthap.get("/cum").text)  # the standings every member's contact is mailed
    assert '<a href="/tinh/%C4%90%E1%BB%93ng%20Th%C3%A1p">' in seen and 'href="/tinh/An%20Giang"' not in seen
    mine = dongthap.get("/tinh/Đồng Tháp").text
    assert "Thứ hạng trong Cụm" in mine and "<td>2022</td>" in mine


def test_a_replaced_output_is_not_served(site, tmp_path):
    server, config, _ = site
    client = client_for(server, "quantri")
    first = send(client, "thay.xlsx", workbook_of(tmp_path, "Đồng Tháp", "t1.xlsx"))
    old = file_id(first)
    send(client, "thay.xlsx", workbook_of(tmp_path, "Đồng Tháp", "t2.xlsx"))  # same name, new content
    assert client.get(f"/tai-ve/{old}/0").status_code == 410


def test_uploads_past_the_limit_are_413_in_vietnamese(site):
    server, config, _ = site
    client = client_for(server, "quantri")
    big = b"PK" + b"0" * (int(config["web.max_upload_mb"]) * 1024 * 1024)
    answer = client.post("/tai-len", data={"csrf_token": csrf(client), "workbook": (__import__("io").BytesIO(big), "to.xlsx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 413 and "Tệp quá lớn" in answer.text and "20 MB" in answer.text


def test_a_file_dropped_into_input_while_serving_is_processed_too(site, tmp_path):
    server, config, _ = site
    distinct_copy(EXAMPLE, tmp_path / "tha.xlsx", "thả vào input")
    (tmp_path / "tha.xlsx").rename(config.input_dir / "tha-vao-input.xlsx")
    wait_until(lambda: (config.output_dir / "tha-vao-input.pdf").exists(), timeout=90)
    wait_until(lambda: (config.input_dir / "da-xu-ly" / "tha-vao-input.xlsx").exists(), timeout=30)


def test_names_and_values_are_escaped(site):
    server, _, _ = site
    answer = send(client_for(server, "quantri"), "<img src=x onerror=alert(1)>.xlsx", b"<b>not a workbook</b>")
    assert "<img" not in answer.text and "<b>not" not in answer.text


def test_no_accounts_means_this_machine_only(tmp_path):
    config = web_config(tmp_path, accounts=False)
    with running_server(config) as server:
        client = server.app.test_client()
        assert client.get("/").status_code == 200 and "Máy này" in client.get("/").text
        assert client.get("/", headers={"Host": "thidua.example:8080"}).status_code == 400  # DNS rebinding
        assert client.get("/mau-excel").data[:2] == b"PK"
        assert "Kế hoạch" in client.get("/huong-dan").text
        assert "Chưa khai báo Cụm thi đua" in client.get("/cum").text


def test_mail_sent_for_real_is_shown_per_member(tmp_path):
    from tests.mailtools import SmtpServer

    with SmtpServer(tmp_path, security="none", refuse={"cuong.lv@dongthap.example"}) as smtp:
        config = web_config(tmp_path, accounts=False, email={"enabled": True, "host": "127.0.0.1", "port": smtp.port,
                                                             "security": "none", "retries": 0})
        with running_server(config) as server:
            answer = send(server.app.test_client(), "gui-that.xlsx", EXAMPLE.read_bytes())
    assert [r.rcpt_tos for r in smtp.received] == [["bich.tt@dongthap.example"]]
    text = re.sub(r"\s+", " ", answer.text)
    assert "Trần Thị Bích</td><td>bich.tt@dongthap.example</td><td><span class=\"badge mail-sent\">Đã gửi" in text
    assert "Bị máy chủ thư từ chối" in text and "550" in text


def test_a_long_render_shows_progress_and_never_blocks_other_pages(tmp_path):
    import threading
    import time

    from tests.web_tools import Client, slow_fake

    config = web_config(tmp_path, accounts=False, threads=2)  # one thread may wait, the other serves
    with running_server(config, process=slow_fake) as server:
        client = Client(server.url)
        status, progress, _ = client.post("/tai-len", {"csrf_token": client.token()},
                                          {"workbook": ("cham.xlsx", EXAMPLE.read_bytes())}, follow=False)
        assert status == 303 and "/tai-len/" in progress
        waited = {}
        waiter = threading.Thread(target=lambda: waited.setdefault("answer", client.get(progress)))
        waiter.start()
        time.sleep(0.3)
        started = time.monotonic()
        status, _, page = client.get(progress)  # no thread left to wait: answered at once
        assert status == 200 and '<meta http-equiv="refresh" content="1">' in page and "Đang xử lý tệp cham.xlsx" in page
        for path in ("/huong-dan", "/bao-cao", "/"):
            assert client.get(path)[0] == 200
        assert time.monotonic() - started < 2.0
        waiter.join(30)
        status, where, page = waited["answer"]
        assert status == 200 and "/ket-qua/" in where and "cham.pdf" in page
