"""Reuse of an earlier result needs the same settings and templates, not only the same workbook."""

import io
import shutil

from tests.inbox_fakes import ROOT, calls, fake_process, fake_xlsx, make_config
from thidua.base.config import build_config
from thidua.base.fingerprint import settings_fingerprint
from thidua.cli import drop_folder as batch


def _with(config, **sections):
    """The same settings with some values replaced (nested again for build_config)."""
    nested: dict = {}
    for key, value in config.values.items():
        section, _, name = key.partition(".")
        if key not in ("email.recipients", "report.legal_basis"):
            nested.setdefault(section, {})[name] = value
    for section, values in sections.items():
        nested.setdefault(section, {}).update(values)
    return build_config(nested, config.base_dir)


def _run(config, path):
    return batch.run_files([path], config, out=io.StringIO(), process=fake_process)


def test_same_settings_reuse_changed_scoring_processes_again(tmp_path):
    config = make_config(tmp_path)
    path = fake_xlsx(tmp_path / "a.xlsx")
    _run(config, path)
    _run(config, path)
    assert calls(config) == ["a.xlsx"]
    stricter = _with(config, scoring={"bonus_line_pct": 120})
    assert settings_fingerprint(stricter) != settings_fingerprint(config)
    _run(stricter, path)
    assert calls(config) == ["a.xlsx", "a.xlsx"]
    _run(stricter, path)
    assert calls(config) == ["a.xlsx", "a.xlsx"]


def test_an_edited_template_processes_again(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    config = _with(make_config(tmp_path), paths={"templates_dir": str(templates)})
    path = fake_xlsx(tmp_path / "a.xlsx")
    _run(config, path)
    before = settings_fingerprint(config)
    css = templates / "report.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* lề rộng hơn */\n", encoding="utf-8")
    assert settings_fingerprint(config) != before
    _run(config, path)
    assert calls(config) == ["a.xlsx", "a.xlsx"]


def test_email_settings_do_not_change_the_fingerprint(tmp_path):
    config = make_config(tmp_path)
    other = _with(config, email={"host": "smtp.example.org"})
    assert settings_fingerprint(other) == settings_fingerprint(config)


def test_adding_a_signing_key_processes_again(tmp_path):
    # A report made before [signing] named a key must not stand in for the signed one.
    config = make_config(tmp_path)
    signed = _with(config, signing={"pkcs12_path": "khoa.p12"})
    assert settings_fingerprint(signed) != settings_fingerprint(config)
