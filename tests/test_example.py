"""The bundled example is what build_example.py makes from examples/data, and keeps the seed figures."""

import pytest

from examples import build_example
from thidua.intake.reader import read_workbook


def test_bundled_reference_data_equals_the_shared_file():
    shared = build_example.shared_csv()
    if shared is None:
        pytest.skip("../shared/data is not beside this clone")
    assert build_example.CSV_PATH.read_bytes() == shared.read_bytes()


def test_committed_example_matches_a_fresh_build(tmp_path, example_path):
    fresh = read_workbook(build_example.build(tmp_path / "fresh.xlsx"))
    committed = read_workbook(example_path)
    assert fresh.valid and committed.valid
    assert fresh.submission.meta == committed.submission.meta
    assert fresh.submission.criteria.equals(committed.submission.criteria)


def test_example_rows_are_reusable():
    meta, rows, deductions = build_example.example_rows()
    assert meta.year == 2022 and len(rows) == 36 and deductions == []
    codes = [r["code"] for r in rows]
    assert codes[:2] == ["KT01", "KT02"] and codes[-2:] == ["CQ01", "TD01"] and len(set(codes)) == 36
    by_code = {r["code"]: r for r in rows}
    assert (by_code["KT01"]["plan"], by_code["KT01"]["actual"]) == (7.0, 8.62)
    assert (by_code["AN01"]["plan"], by_code["AN01"]["actual"]) == ("Đạt", "Không đạt")


def test_missing_reference_data_gives_a_clear_message(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="Reference data not found"):
        build_example.example_rows(tmp_path / "missing.csv")
