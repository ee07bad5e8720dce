"""README.md must match the code it documents: generated tables, commands, the two set-up commands."""

from pathlib import Path

from thidua.cli.parser import build_parser
from thidua.cli.readme import render_readme

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_generated_sections_are_current():
    assert render_readme(README) == README, "run: python -m thidua.cli.readme"


def test_every_command_is_documented():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"`{name}" in README, name


def test_two_setup_commands_and_ci():
    assert "make report" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_option_of_every_command_is_documented():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in [("", parser), *sub.choices.items()]:
        for action in command._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--version"):
                    assert f"`{flag}" in README or f"{flag}`" in README or f" {flag}" in README, (name, flag)


def test_every_sheet_column_and_issue_code_is_in_the_readme():
    from thidua.intake import contract
    from thidua.intake.issues import markdown_catalog

    assert contract.markdown_reference() in README
    assert markdown_catalog() in README
