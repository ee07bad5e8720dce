"""[cluster] settings: parsed as a whole, refused with Vietnamese messages that say what is expected."""

import pytest

from thidua.base.cluster_config import province_key
from thidua.base.config import build_config, load_config
from thidua.base.errors import ConfigError

MEMBERS = ["An Giang", "Bến Tre", "Tỉnh Cà Mau"]


def test_settings_are_read_with_their_defaults(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[cluster]\nname = "Cụm thi đua các tỉnh Tây Nam Bộ"\nmembers = ["An Giang", "Bến Tre"]\n'
                   'chair = "bến tre"\n[[cluster.awards]]\nname = "Cờ thi đua của Chính phủ"\ncount = 1\n'
                   '[[cluster.contacts]]\nprovince = "an  giang"\nname = "Văn phòng An Giang"\nemail = "vp@ag.example"\n',
                   encoding="utf-8")
    cluster = load_config(cfg).cluster
    assert cluster.members == ("An Giang", "Bến Tre") and cluster.chair == "Bến Tre"  # the member's spelling
    assert cluster.tie_breakers == ("met", "key_bonus", "deductions") and cluster.rebuilds
    assert [(a.name, a.count) for a in cluster.awards] == [("Cờ thi đua của Chính phủ", 1)]
    assert [(c.province, c.email) for c in cluster.contacts] == [("An Giang", "vp@ag.example")]
    assert cluster.document["signing_authority"] == "TM. CỤM THI ĐUA"
    assert cluster.names_cluster("CỤM THI ĐUA CÁC TỈNH TÂY NAM BỘ") and cluster.names_cluster("Cụm thi đua các tỉnh Tây Nam bộ")
    assert not cluster.names_cluster("Cụm thi đua các tỉnh Đông Nam Bộ")


def test_no_cluster_section_means_nothing_to_rank_and_no_rebuild(tmp_path):
    cluster = build_config({}, tmp_path).cluster
    assert not cluster.configured and not cluster.rebuilds
    assert not build_config({"cluster": {"name": "Cụm X"}}, tmp_path).cluster.rebuilds  # auto needs members
    assert not build_config({"cluster": {"members": ["A"], "auto": False}}, tmp_path).cluster.rebuilds


def test_province_names_match_like_headers_and_ignore_the_word_tinh():
    assert province_key("Tỉnh  Cà Mau") == province_key("cà mau") == province_key("Cà Mau")
    assert province_key("Thành phố Cần Thơ") == province_key("Cần Thơ")
    assert province_key("Bến Tre") != province_key("Bến Tr")


@pytest.mark.parametrize(
    ("cluster", "fragment"),
    [
        ({"chair": "Long An"}, '"cluster.chair" = "Long An" không có trong "cluster.members"'),
        ({"members": ["An Giang", "an giang"]}, '"cluster.members" có "an giang" trùng với "An Giang"'),
        ({"members": ["An Giang", ""]}, '"cluster.members" mục thứ 2 phải là tên một tỉnh'),
        ({"awards": [{"name": "Cờ", "count": 0}]}, '[[cluster.awards]] thứ 1 (Cờ): "count" phải là số nguyên từ 1'),
        ({"awards": [{"name": "Cờ", "count": True}]}, '"count" phải là số nguyên từ 1'),
        ({"awards": [{"count": 1}]}, '[[cluster.awards]] thứ 1 thiếu "name"'),
        ({"awards": [{"name": "Cờ", "count": 1, "so_luong": 2}]}, "có khóa không biết: so_luong"),
        ({"tie_breakers": ["met", "tong_diem"]}, '"cluster.tie_breakers" có "tong_diem"; chỉ dùng được: met, '
                                                  "key_bonus, deductions"),
        ({"tie_breakers": ["met", "met"]}, "có mục bị lặp"),
        ({"contacts": [{"province": "Long An", "name": "A", "email": "a@la.example"}]},
         'tỉnh "Long An" không có trong "cluster.members"'),
        ({"contacts": [{"province": "Bến Tre", "name": "A", "email": "khong-phai-email"}]},
         "có địa chỉ email không hợp lệ"),
        ({"contacts": ["a@b.c"]}, "[[cluster.contacts]] thứ 1 phải là một bảng"),
        ({"report_date": "2024-03-30"}, "phải là một ngày dạng ngày/tháng/năm, ví dụ 30/3/2023"),
        ({"report_date": "31/2/2024"}, "phải là một ngày dạng ngày/tháng/năm"),
        ({"recipients": ["Ban Thi đua", 3]}, '"cluster.recipients" phải là danh sách chuỗi'),
        ({"members": "An Giang"}, '"cluster.members" phải là danh sách'),
        ({"auto": "có"}, '"cluster.auto" phải là true/false'),
    ],
)
def test_invalid_cluster_settings_are_config_errors(tmp_path, cluster, fragment):
    with pytest.raises(ConfigError) as err:
        build_config({"cluster": {"members": MEMBERS, **cluster}}, tmp_path)
    assert fragment in err.value.message


def test_without_members_any_contact_province_is_accepted(tmp_path):
    cluster = build_config({"cluster": {"name": "Cụm X", "contacts": [
        {"province": "Long An", "name": "A", "email": "a@la.example"}]}}, tmp_path).cluster
    assert cluster.contacts[0].province == "Long An"
