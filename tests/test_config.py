"""config.toml: defaults, validation with Vietnamese messages, the bundled file stays valid."""

from pathlib import Path

import pytest

from thidua.base.config import SETTINGS, build_config, load_config
from thidua.base.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_config_is_valid_and_mentions_every_setting():
    config = load_config(ROOT / "config.toml")
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for setting in SETTINGS:
        section, _, key = setting.key.rpartition(".")
        assert f"[{section}]" in text or f"[[{section}]]" in text, setting.key
        assert key in text, setting.key
    assert config["scoring.bonus_line_pct"] == 110.0
    assert config.legal_basis(2022)[0].startswith("Căn cứ")
    assert config.legal_basis(2031) == config.legal_basis(2030)


def test_defaults_without_file(tmp_path):
    config = build_config({}, tmp_path)
    assert config["scoring.floor_pct"] == 50.0
    assert config.output_dir == tmp_path / "output"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"scoring": {"floor_pct": 150}}, '"scoring.floor_pct" = 150.0 phải nhỏ hơn hoặc bằng 100'),
        ({"scoring": {"floor_pct": "năm mươi"}}, '"scoring.floor_pct" phải là số nguyên hoặc số'),
        ({"scoring": {"flor_pct": 50}}, 'khóa không biết "scoring.flor_pct"'),
        ({"email": {"security": "tls"}}, "phải là một trong: starttls, ssl, none"),
        ({"email": {"password_env": "hunter 2"}}, "phải là TÊN một biến môi trường"),
        ({"email": {"recipients": [{"name": "A", "email": "khong-phai-email"}]}}, "địa chỉ email không hợp lệ"),
        ({"email": {"enabled": "yes"}}, '"email.enabled" phải là true/false'),
    ],
)
def test_invalid_values_are_config_errors(tmp_path, data, fragment):
    with pytest.raises(ConfigError) as err:
        build_config(data, tmp_path)
    assert fragment in err.value.message


def test_broken_toml_names_the_file(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[scoring\nfloor_pct = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="sai cú pháp TOML"):
        load_config(bad)


def test_missing_explicit_config(tmp_path):
    with pytest.raises(ConfigError, match="Không tìm thấy tệp cấu hình"):
        load_config(tmp_path / "nope.toml")


def test_default_templates_fall_back_to_the_bundled_ones(tmp_path):
    from thidua.base.resources import bundled_templates

    BUNDLED_TEMPLATES = bundled_templates()

    config = build_config({}, tmp_path)
    assert config.templates_dir == BUNDLED_TEMPLATES and (BUNDLED_TEMPLATES / "report.html.j2").is_file()
    (tmp_path / "templates").mkdir()
    assert build_config({}, tmp_path).templates_dir == tmp_path / "templates"  # an officer's own copy wins
    explicit = build_config({"paths": {"templates_dir": "mau"}}, tmp_path)
    assert explicit.templates_dir == tmp_path / "mau"  # a configured folder is never second-guessed


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_refused(tmp_path, value):
    cfg = tmp_path / "config.toml"
    for key in ("floor_pct", "bonus_share_pct", "grade_share_htt"):
        cfg.write_text(f"[scoring]\n{key} = {value}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=f'"scoring.{key}"'):
            load_config(cfg)
