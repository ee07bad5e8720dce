"""The cluster's year end to end: real workbooks of eight provinces over two years, processed by batch mode,
then the `cluster` and `history` commands read back through JSON, pdftotext, the workbook and a real SMTP server."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import cluster_fixtures as cf
from tests import pdf_tools
from tests.mailtools import PASSWORD_ENV, SmtpServer, free_port
from thidua.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")]


def _toml_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_config(folder: Path, *, port: int = 25, ca_file: str = "", **cluster: object) -> Path:
    """A config.toml like an officer's: paths under `folder`, an SMTP server, the [cluster] section."""
    settings = cf.cluster_settings(**cluster)
    lines = [
        "[paths]", f'input_dir = "{folder / "input"}"', f'output_dir = "{folder / "output"}"',
        f'templates_dir = "{ROOT / "templates"}"', "[ledger]", f'path = "{folder / "output" / "thidua.sqlite3"}"',
        "[inbox]", "workers = 2", "[email]", 'host = "127.0.0.1"', f"port = {port}", 'username = "thidua"',
        f'password_env = "{PASSWORD_ENV}"', 'sender = "Văn phòng Cụm <cum@tdkt.example>"', "timeout = 5",
        "retries = 0", "retry_backoff = 0", f'ca_file = "{ca_file}"', f'outbox_dir = "{folder / "output" / "thu-di"}"',
        "[cluster]",
    ]
    for key, value in settings.items():
        if key not in ("awards", "contacts"):
            lines.append(f"{key} = {_toml_value(value)}")
    for table in ("awards", "contacts"):
        for item in settings.get(table, []):  # type: ignore[union-attr]
            lines.append(f"[[cluster.{table}]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in item.items()]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def body_text(pdf: Path) -> str:
    """The text as read on paper across page breaks: the page number heading each page left out."""
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = [re.sub(r"^\s*\d+\s*\n", "", page) for page in raw.split("\f")]
    return re.sub(r"\s+", " ", " ".join(pages))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """2022, then 2023, then Đồng Tháp's corrected 2023 workbook, each dropped into input/ and processed by
    one batch pass (`python generate_report.py` with no command), with the cluster's automatic rebuild."""
    folder = tmp_path_factory.mktemp("cum")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PASSWORD_ENV, "mật-khẩu")  # the server takes the password from here when it starts
        server = SmtpServer(folder)
        with server:
            cfg = write_config(folder, port=server.port, ca_file=str(server.ca_file))
            inbox = folder / "input"
            inbox.mkdir()
            passes = []
            for drop in (cf.year_2022, cf.year_2023,
                         lambda d: [cf.workbook(d, "Đồng Tháp", 2023, cf.DONG_THAP_AGAIN, name="dong-thap-2023-sua")]):
                drop(inbox)
                passes.append(run("--config", str(cfg)))
            yield {"folder": folder, "cfg": cfg, "out": folder / "output", "passes": passes, "server": server}


def test_batch_passes_processed_every_file_and_rebuilt_the_cluster_report(world):
    for code, out, _ in world["passes"]:
        assert code == 0, out
    assert "Đã cập nhật báo cáo Cụm năm 2022: " in world["passes"][0][1]
    assert "(7 tỉnh được xếp hạng; 3 lưu ý về số liệu)" in world["passes"][0][1]
    assert "Đã cập nhật báo cáo Cụm năm 2023: " in world["passes"][1][1]
    assert "chưa gửi báo cáo: Vĩnh Long" in world["passes"][2][1]
    # the rebuilt report already follows the corrected workbook
    text = pdf_tools.text(world["out"] / "cum-thi-dua-2023.pdf")
    assert "dong-thap-2023-sua.xlsx" in text


@pytest.fixture(scope="module")
def doc(world):
    code, out, err = run("--config", str(world["cfg"]), "cluster", "--json", "--dry-run")
    assert code == 0, (out, err)
    data = json.loads((world["out"] / "cum-thi-dua-2023.json").read_text(encoding="utf-8"))
    return {"data": data, "out": out}


def test_the_ranking_breaks_ties_by_criteria_met_and_shares_a_true_tie(doc):
    data = doc["data"]
    assert data["schema"] == "thidua.cluster/1" and data["year"] == 2023
    assert data["cluster"] == "Cụm thi đua các tỉnh Tây Nam Bộ"
    rows = [(r["rank"], r["province"], r["total"], r["n_met_or_exceeded"]) for r in data["ranking"]]
    assert rows == [(1, "Hậu Giang", 82.0, 8), (2, "Trà Vinh", 78.0, 7), (3, "Bến Tre", 78.0, 6),
                    (4, "An Giang", 70.0, 7), (4, "Cà Mau", 70.0, 7), (6, "Đồng Tháp", 64.5, 6)]
    first = data["ranking"][0]
    assert (first["points"], first["bonus"], first["deductions"], first["max_points"], first["n_key_bonus"]) == (
        80.0, 2.0, 0.0, 80.0, 2)
    assert [r["award"] for r in data["ranking"]] == ["Cờ thi đua của Chính phủ", "Bằng khen của Thủ tướng Chính phủ",
                                                     "Bằng khen của Thủ tướng Chính phủ", None, None, None]


def test_a_missing_member_is_listed_apart_and_other_provinces_are_left_out(doc):
    data = doc["data"]
    assert data["missing"] == ["Vĩnh Long"]
    provinces = {r["province"] for r in data["ranking"]}
    assert not provinces & {"Vĩnh Long", "Kiên Giang", "Bình Dương"}
    assert ("Kiên Giang (tệp kien-giang-2023.xlsx) ghi Cụm thi đua các tỉnh Tây Nam Bộ nhưng không có trong danh "
            "sách thành viên của Cụm: không xếp hạng.") in data["warnings"]
    assert not any("Bình Dương" in w for w in data["warnings"])  # another cluster's province: not ours to judge
    assert not any("Trà Vinh" in w for w in data["warnings"])  # "Tây Nam bộ" is the same cluster name


def test_a_resubmitted_province_replaces_its_earlier_result_and_the_file_used_is_named(doc):
    data = doc["data"]
    dong_thap = next(r for r in data["ranking"] if r["province"] == "Đồng Tháp")
    assert (dong_thap["total"], dong_thap["deductions"], dong_thap["source"]) == (64.5, 2.0, "dong-thap-2023-sua.xlsx")
    [warning] = [w for w in data["warnings"] if w.startswith("Đồng Tháp gửi")]
    assert warning.startswith("Đồng Tháp gửi 2 tệp khác nhau cho năm 2023 (dong-thap-2023.xlsx, "
                              "dong-thap-2023-sua.xlsx); dùng tệp xử lý sau cùng: dong-thap-2023-sua.xlsx (xử lý lúc ")
    by_code = {c["code"]: c for c in data["criteria"]}
    assert by_code["KT06"]["by_province"]["Đồng Tháp"] == {"pct_of_plan": 65.0, "status": "Chưa đạt", "points": 6.5,
                                                           "bonus": 0.0, "max_points": 10.0}
    assert doc["out"].count(warning) == 1  # the command prints every warning too


def test_previous_ranks_come_from_last_year_ranked_the_same_way(doc):
    previous = {r["province"]: r["previous_rank"] for r in doc["data"]["ranking"]}
    assert previous == {"Hậu Giang": 2, "Trà Vinh": 3, "Bến Tre": 1, "An Giang": 5, "Cà Mau": 4, "Đồng Tháp": 7}


def test_the_command_prints_the_ranking_and_what_it_made(doc, world):
    lines = doc["out"].splitlines()
    assert lines[0] == "Cụm thi đua các tỉnh Tây Nam Bộ, năm 2023: xếp hạng 6 tỉnh; chưa gửi báo cáo: Vĩnh Long."
    assert re.match(r"\s+3\. Bến Tre\s+78 điểm  6/8 tiêu chí  Bằng khen của Thủ tướng Chính phủ  \(năm 2022: hạng 1\)",
                    lines[3])
    out = world["out"]
    assert f"Đã tạo: {out / 'cum-thi-dua-2023.pdf'}, {out / 'cum-thi-dua-2023.xlsx'}, {out / 'cum-thi-dua-2023.json'}" in lines
    assert any(line.startswith("cum-thi-dua-2023.pdf: đã ghi 7 thư (.eml)") for line in lines)


def test_the_pdf_says_the_ranking_the_ties_the_gaps_and_the_rank_changes(doc, world):
    pdf = world["out"] / "cum-thi-dua-2023.pdf"
    text = body_text(pdf)
    assert "BÁO CÁO Kết quả chấm điểm, xếp hạng thi đua năm 2023 Cụm thi đua các tỉnh Tây Nam Bộ" in text
    assert "Số: 15/BC-CTĐ" in text and "Hậu Giang, ngày 30 tháng 3 năm 2024" in text
    assert text.lstrip().startswith("UBND TỈNH HẬU GIANG CỤM THI ĐUA CÁC TỈNH TÂY NAM BỘ CỘNG HÒA XÃ HỘI")
    assert "Nơi nhận: - Ban Thi đua - Khen thưởng Trung ương; - UBND các tỉnh thành viên Cụm; - Lưu: VT." in text
    assert "6/7 tỉnh thành viên đã gửi báo cáo kết quả tự chấm điểm; chưa gửi báo cáo: Vĩnh Long" in text
    assert ("Trà Vinh và Bến Tre cùng 78 điểm; Trà Vinh xếp trên do có số tiêu chí đạt và vượt kế hoạch nhiều hơn "
            "(7 so với 6).") in text
    assert "An Giang và Cà Mau cùng 70 điểm; bằng nhau cả" in text and "đồng hạng 4." in text
    assert "Cờ thi đua của Chính phủ: Hậu Giang; Bằng khen của Thủ tướng Chính phủ: Trà Vinh và Bến Tre." in text
    # III. per province: gap above and below, the criteria that would close it, the rank change
    assert ("3. Bến Tre: xếp hạng 3/6, tổng 78 điểm, đạt và vượt 6/8 tiêu chí, đề nghị Bằng khen của Thủ tướng "
            "Chính phủ. Bằng điểm Trà Vinh (hạng 2), xếp sau theo tiêu chí phụ; hơn An Giang (hạng 4) 8 điểm.") in text
    assert "đạt kế hoạch tiêu chí này (thêm 1 điểm) thì vượt Trà Vinh. Thứ hạng giảm 2 bậc so với năm 2022 (hạng 1)." in text
    assert "4. An Giang: xếp hạng 4/6 (đồng hạng với Cà Mau)" in text
    assert ("kể cả đạt kế hoạch mọi tiêu chí chưa đạt (thêm 2 điểm) vẫn chưa bù được khoảng cách với Hậu Giang") in text
    # II. leaders and laggards; the annex; the source of each province
    assert "Cà Mau (0%)" in text and "2/6: Cà Mau và Đồng Tháp" in text
    squeezed = pdf_tools.squeezed(pdf)
    assert "Nguồnsốliệu" in squeezed and "dong-thap-2023-sua.xlsx" in squeezed and "VĩnhLongChưagửibáocáo" in squeezed
    assert "TM.CỤMTHIĐUA" in squeezed and "TrầnVănChủ" in squeezed
    # the PDF/A carries the JSON it was made from
    assert "cum-thi-dua-2023.json" in pdf_tools.attachments(pdf)
    assert pdf_tools.check(pdf).returncode == 0
    fonts = pdf_tools.fonts(pdf)
    assert fonts and all(f["emb"] == "yes" for f in fonts)


def test_differing_maximum_points_are_said_and_ranked_on_total(world):
    code, out, _ = run("--config", str(world["cfg"]), "cluster", "--year", "2022", "--json", "--dry-run")
    assert code == 0
    data = json.loads((world["out"] / "cum-thi-dua-2022.json").read_text(encoding="utf-8"))
    assert [(r["rank"], r["province"], r["total"]) for r in data["ranking"]] == [
        (1, "Bến Tre", 82.0), (2, "Hậu Giang", 80.0), (3, "Trà Vinh", 76.0), (4, "Cà Mau", 75.4),
        (5, "An Giang", 68.0), (6, "Vĩnh Long", 61.0), (7, "Đồng Tháp", 58.0)]
    assert data["missing"] == [] and all(r["previous_rank"] is None for r in data["ranking"])
    assert data["warnings"][:2] == [
        "Mã XH09 chỉ có trong báo cáo của Vĩnh Long.",
        "Mã KT08 (Tỷ lệ dân số tham gia bảo hiểm y tế) có điểm chuẩn khác nhau giữa các tỉnh: 12 (Cà Mau); 10 "
        "(Bến Tre, Hậu Giang, Trà Vinh, An Giang, Vĩnh Long, Đồng Tháp)."]
    vinh_long = next(r for r in data["ranking"] if r["province"] == "Vĩnh Long")
    assert (vinh_long["max_points"], vinh_long["pct_of_max"]) == (90.0, 67.78)
    text = body_text(world["out"] / "cum-thi-dua-2022.pdf")
    assert "% điểm chuẩn" in text and "67,78%" in text and "Tổng điểm chuẩn của các tỉnh không bằng nhau" in text
    for warning in data["warnings"]:
        assert warning in out


def test_the_cluster_workbook_holds_the_ranking_and_every_cell(doc, world):
    book = load_workbook(world["out"] / "cum-thi-dua-2023.xlsx")
    assert book.sheetnames == ["Xếp hạng", "% so kế hoạch", "Chi tiết"]
    ranking = book["Xếp hạng"]
    assert [c.value for c in ranking[4]][:6] == [1, "Hậu Giang", 80, 2, 0, 82]
    assert [ranking.cell(row=r, column=1).value for r in range(4, 10)] == [1, 2, 3, 4, 4, 6]
    assert ranking.cell(row=9, column=15).value == "dong-thap-2023-sua.xlsx"
    texts = [row[0] for row in ranking.iter_rows(values_only=True) if row[0]]
    assert "Chưa gửi báo cáo" in texts and "Vĩnh Long" in texts
    detail = list(book["Chi tiết"].iter_rows(values_only=True))
    assert len(detail) == 1 + 6 * 8


def test_the_history_section_of_a_province_report(world):
    text = body_text(world["out"] / "ben-tre-2023.pdf")
    assert "3. So với năm trước" in text
    assert ("Tổng điểm năm 2023: 78 điểm, giảm 4 điểm so với năm 2022 (82 điểm); đạt và vượt 6/8 tiêu chí (năm "
            "2022: 8/8 tiêu chí).") in text
    assert "So sánh trên 8 tiêu chí có ở cả hai năm:" in text
    assert ("Từ đạt chuyển sang chưa đạt (2): tỷ lệ xã đạt chuẩn nông thôn mới (100% → 90% kế hoạch); tỷ lệ dân số "
            "tham gia bảo hiểm y tế (100% → 90% kế hoạch).") in text
    assert "Biểu đồ 3. Tổng điểm tự chấm qua các năm" in text
    hau_giang = body_text(world["out"] / "hau-giang-2023.pdf")
    assert "Từ chưa đạt chuyển sang đạt và vượt (1): tỷ lệ dân số tham gia bảo hiểm y tế (90% → 100% kế hoạch)." in hau_giang
    # a province's first year has no comparison; the results workbook gets the sheet "So với năm trước"
    assert "So với năm trước" not in pdf_tools.text(world["out"] / "ben-tre-2022.pdf")
    sheet = load_workbook(world["out"] / "ben-tre-2023.ket-qua.xlsx")["So với năm trước"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][:2] == (2022, 82) and rows[4][:2] == (2023, 78)
    kt07 = next(r for r in rows if r[0] == "KT07")
    assert kt07 == ("KT07", "Tỷ lệ xã đạt chuẩn nông thôn mới", "Đạt", "Chưa đạt", 100, 90, 10, 9, "Đạt → chưa đạt")
    assert "So với năm trước" not in load_workbook(world["out"] / "ben-tre-2022.ket-qua.xlsx").sheetnames


def test_a_changed_criteria_list_is_compared_on_common_codes(world, tmp_path):
    assert "So với" not in pdf_tools.text(world["out"] / "vinh-long-2022.pdf")
    ledger = tmp_path / "output" / "thidua.sqlite3"  # a copy: the module's ledger keeps Vĩnh Long missing
    ledger.parent.mkdir()
    with sqlite3.connect(world["out"] / "thidua.sqlite3") as src, sqlite3.connect(ledger) as dst:
        src.backup(dst)
    cfg = write_config(tmp_path)
    workbook = cf.workbook(tmp_path, "Vĩnh Long", 2023, [100] * 8)  # XH09 dropped this year
    code, _, _ = run("--config", str(cfg), "run", str(workbook), "--dry-run")
    assert code == 0
    text = body_text(tmp_path / "output" / "vinh-long-2023.pdf")
    assert "So sánh trên 8 tiêu chí có ở cả hai năm (1 tiêu chí của năm 2022 không còn):" in text
    assert "Tổng điểm chuẩn hai năm khác nhau (90 và 80 điểm)." in text


def test_the_history_command(world):
    code, out, _ = run("--config", str(world["cfg"]), "history", "tỉnh bến tre")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Bến Tre: kết quả cuối năm trong sổ theo dõi"
    assert re.match(r"\s+2022\s+82/80\s+8/8\s+1/7\s+ben-tre-2022\.xlsx \(xử lý lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}\)$", lines[2])
    assert re.match(r"\s+2023\s+78/80\s+6/8\s+3/6\s+ben-tre-2023\.xlsx", lines[3])
    code, out, _ = run("--config", str(world["cfg"]), "history", "Đồng Tháp", "--json")
    data = json.loads(out)
    assert code == 0 and data["schema"] == "thidua.history/1" and data["province"] == "Đồng Tháp"
    assert [(y["year"], y["total"], y["rank"], y["n_ranked"], y["source"]) for y in data["years"]] == [
        (2022, 58.0, 7, 7, "dong-thap-2022.xlsx"), (2023, 64.5, 6, 6, "dong-thap-2023-sua.xlsx")]
    code, out, _ = run("--config", str(world["cfg"]), "history", "Bình Dương")  # no member: no rank
    assert code == 0 and re.search(r"2023\s+82/80\s+8/8\s+-\s+binh-duong-2023\.xlsx", out)
    code, out, _ = run("--config", str(world["cfg"]), "history", "Long An")
    assert code == 1 and "chưa có kết quả cuối năm nào của \"Long An\". Các tỉnh đã có kết quả: An Giang, Bến Tre" in out


def test_nothing_to_rank_exits_1(world):
    code, out, _ = run("--config", str(world["cfg"]), "cluster", "--year", "2019")
    assert code == 1
    assert out.startswith("Sổ theo dõi chưa có kết quả cuối năm 2019 của tỉnh thành viên nào của Cụm thi đua các tỉnh "
                          "Tây Nam Bộ: không có gì để xếp hạng.")
    assert not (world["out"] / "cum-thi-dua-2019.pdf").exists()


def test_each_contact_is_mailed_their_standing_once_per_report_content(world, doc):
    server = world["server"]  # running, with the password set, for the whole module
    pdf = world["out"] / "cum-thi-dua-2023.pdf"
    code, out, _ = run("--config", str(world["cfg"]), "cluster", "--send")
    assert code == 0, out
    assert "cum-thi-dua-2023.pdf: đã gửi 7 thư." in out.splitlines()
    mails = {m.rcpt_tos[0]: m.message for m in server.received}
    assert len(server.received) == 7 and len(mails) == 7
    ben_tre = mails["ben-tre@tdkt.example"]
    assert ben_tre["Subject"] == ("Kết quả xếp hạng thi đua năm 2023 - Cụm thi đua các tỉnh Tây Nam Bộ - Bến Tre: "
                                  "hạng 3/6")
    body = ben_tre.get_body(("plain",)).get_content()
    assert "Bến Tre xếp hạng 3/6, tổng 78/80 điểm; đạt và vượt 6/8 tiêu chí; đề nghị Bằng khen của Thủ tướng Chính phủ." in body
    assert "Bằng điểm Trà Vinh (hạng 2), xếp sau theo tiêu chí phụ; hơn An Giang (hạng 4) 8 điểm." in body
    assert "Năm 2022: hạng 1 (giảm 2 bậc)." in body
    assert "- KT07 Tỷ lệ xã đạt chuẩn nông thôn mới: còn 1 điểm." in body
    dong_thap = mails["dong-thap@tdkt.example"].get_body(("plain",)).get_content()
    unmet = [line for line in dong_thap.splitlines() if line.startswith("- KT")]
    assert unmet == ["- KT07 Tỷ lệ xã đạt chuẩn nông thôn mới: còn 10 điểm.",
                     "- KT06 Tỷ lệ lao động qua đào tạo: còn 3,5 điểm."]
    vinh_long = mails["vinh-long@tdkt.example"]
    assert vinh_long["Subject"].endswith("Vĩnh Long: chưa xếp hạng")
    assert "Vĩnh Long chưa gửi báo cáo kết quả tự chấm điểm năm 2023" in vinh_long.get_body(("plain",)).get_content()
    [attachment] = list(ben_tre.iter_attachments())
    assert attachment.get_content() == pdf.read_bytes()
    assert attachment.get_filename() == "Báo cáo xếp hạng thi đua năm 2023 - Cụm thi đua các tỉnh Tây Nam Bộ.pdf"
    assert not any("hau-giang" in m.rcpt_tos[0] and "Bến Tre" in m.message["Subject"] for m in server.received)

    # the same content again: nobody is mailed twice; --force mails everyone again
    code, out, _ = run("--config", str(world["cfg"]), "cluster", "--send")
    assert code == 0 and len(server.received) == 7
    assert ("cum-thi-dua-2023.pdf: đã gửi 0 thư; 7 thư đã gửi (hoặc bị từ chối) trước đó, không gửi lại."
            in out.splitlines())
    code, out, _ = run("--config", str(world["cfg"]), "cluster", "--send", "--force", "-q")
    assert code == 0 and len(server.received) == 14 and out == ""


def test_send_and_dry_run_cannot_be_combined(world):
    code, _, err = run("--config", str(world["cfg"]), "cluster", "--send", "--dry-run")
    assert code == 2 and "--dry-run: không dùng cùng --send" in err


def test_no_cluster_configured_is_a_config_error(tmp_path):
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    code, _, err = run("--config", str(tmp_path / "config.toml"), "cluster")
    assert code == 2 and "Chưa khai báo Cụm thi đua" in err


def test_cluster_pdf_is_the_same_bytes_when_nothing_changed(world, doc):
    pdf = world["out"] / "cum-thi-dua-2023.pdf"
    before = pdf.read_bytes()
    code, _, _ = run("--config", str(world["cfg"]), "cluster", "--dry-run", "-q")
    assert code == 0 and pdf.read_bytes() == before


def test_an_earlier_workbook_dropped_again_counts_again(tmp_path):
    """Province A's first workbook, replaced by a second, then dropped again: its result is current again
    (the earlier processing is not silently reused while another result stands in the ledger)."""
    cfg = write_config(tmp_path, members=["An Giang", "Bến Tre"], chair="An Giang", contacts=[], awards=[])
    inbox = tmp_path / "input"
    inbox.mkdir()
    first = cf.workbook(tmp_path, "An Giang", 2023, [100] * 8, name="an-giang")
    second = cf.workbook(tmp_path, "An Giang", 2023, [50] * 8, name="an-giang-sua")
    cf.workbook(inbox, "Bến Tre", 2023, [90] * 8)
    totals = []
    for path in (first, second, first):
        shutil.copyfile(path, inbox / path.name)
        code, out, _ = run("--config", str(cfg))
        assert code == 0, out
        data = run("--config", str(cfg), "cluster", "--json", "--dry-run", "-q")
        ranking = json.loads((tmp_path / "output" / "cum-thi-dua-2023.json").read_text(encoding="utf-8"))["ranking"]
        totals.append({r["province"]: r["total"] for r in ranking}["An Giang"])
        assert data[0] == 0
    assert totals == [80.0, 40.0, 80.0]


def test_pending_cluster_mail_is_sent_by_send_pending_and_send_report_resends(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "mật-khẩu")
    port = free_port()
    server = SmtpServer(tmp_path, port)  # not started yet: the first attempt finds nobody
    cfg = write_config(tmp_path, port=port, ca_file=str(server.ca_file), members=["An Giang", "Bến Tre"],
                       chair="An Giang", awards=[], contacts=[
                           {"province": "An Giang", "name": "VP An Giang", "email": "ag@tdkt.example"},
                           {"province": "Bến Tre", "name": "VP Bến Tre", "email": "bt@tdkt.example"}])
    (tmp_path / "input").mkdir()
    cf.workbook(tmp_path / "input", "An Giang", 2023, [100] * 8)
    assert run("--config", str(cfg))[0] == 0
    code, out, _ = run("--config", str(cfg), "cluster", "--send", "-q")
    assert code == 1
    assert out.splitlines()[0].startswith("  Còn treo: VP An Giang <ag@tdkt.example>: không kết nối được máy chủ SMTP")
    text = cfg.read_text(encoding="utf-8")  # Bến Tre's contact leaves the list: what was promised still goes out
    cfg.write_text(text[:text.index("[[cluster.contacts]]\nprovince = \"Bến Tre\"")], encoding="utf-8")
    with server:
        code, out, _ = run("--config", str(cfg), "send", "--pending")
        assert code == 0 and "cum-thi-dua-2023.pdf: đã gửi 2 thư." in out
        subjects = sorted(m.message["Subject"] for m in server.received)
        assert subjects == ["Kết quả xếp hạng thi đua năm 2023 - Cụm thi đua các tỉnh Tây Nam Bộ - An Giang: hạng 1/1",
                            "Kết quả xếp hạng thi đua năm 2023 - Cụm thi đua các tỉnh Tây Nam Bộ - Bến Tre: chưa xếp hạng"]
        code, out, _ = run("--config", str(cfg), "send", str(tmp_path / "output" / "cum-thi-dua-2023.pdf"))
        assert code == 0 and len(server.received) == 2  # sent already: not again
        code, out, _ = run("--config", str(cfg), "send", str(tmp_path / "output" / "cum-thi-dua-2023.pdf"), "--force")
        assert code == 0 and [m.rcpt_tos for m in server.received[2:]] == [["ag@tdkt.example"]]  # today's list
