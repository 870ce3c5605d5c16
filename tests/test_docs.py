"""The user documentation (README.md, docs/) names no development machine's
paths and no command the CLI does not have (issue 19: README for users)."""
import contextlib
import io
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").rglob("*.md"))]
# paths that only exist on the machines slpvec was developed on
DEVELOPMENT_PATHS = ("/work/", "/tmp/npb", "/root/", "shared/DESIGN.md")


def _slpvec_main(argv):
    from slpvec.cli import main
    return main(argv)


def _dataset_main(argv):
    from dataset.cli import main
    return main(argv)


# programs whose subcommands the commands tables name, and their entry points
PROGRAMS = {"slpvec": _slpvec_main, "slpvec-dataset": _dataset_main}


def development_paths(text: str) -> list[str]:
    """Lines of ``text`` naming a path of a development machine."""
    return [line.strip() for line in text.splitlines()
            if any(path in line for path in DEVELOPMENT_PATHS)]


def section(text: str, title: str) -> str:
    """The body of the ``## title`` section of a markdown text ("" if none)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def table_commands(text: str) -> list[tuple[str, str]]:
    """(program, subcommand) named in the first column of every table of
    ``text``: `` `slpvec cost IN` `` gives ("slpvec", "cost"); a later span of
    the same cell without a program (`` / `verify OUT` ``) is another
    subcommand of the same program. Commands without a subcommand (options
    right after the program) are left out."""
    found = []
    for line in text.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        first_cell = line.strip("|").split("|")[0]
        program = None
        for span in re.findall(r"`([^`]+)`", first_cell):
            words = span.split()
            if words[0] in PROGRAMS:
                program, words = words[0], words[1:]
            elif program is None:
                break
            if words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                found.append((program, words[0]))
    return found


def runs_help(program: str, subcommand: str) -> bool:
    """True if ``program subcommand --help`` exits with status 0."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            status = PROGRAMS[program]([subcommand, "--help"])
        except SystemExit as done:
            status = done.code
    return status in (0, None)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_name_no_development_machine_path(path):
    assert development_paths(path.read_text()) == []


def test_readme_points_to_the_design_in_the_repository():
    assert "docs/DESIGN.md" in README.read_text()
    assert (ROOT / "docs" / "DESIGN.md").is_file()


def test_every_command_of_the_readme_tables_exists():
    commands = table_commands(section(README.read_text(), "Commands"))
    assert ("slpvec", "vectorize") in commands  # the table was found and read
    missing = [f"{program} {sub}" for program, sub in commands if not runs_help(program, sub)]
    assert missing == []


def test_the_checks_catch_what_they_look_for():
    text = ("## Commands\n\n| command | what it does |\n|---|---|\n"
            "| `slpvec frobnicate IN` | nothing |\n| `slpvec-dataset info OUT` / `verify OUT` | x |\n"
            "| `slpvec-train --data DS` | train |\n\n## Next\n| `slpvec later` | x |\n")
    commands = table_commands(section(text, "Commands"))
    assert commands == [("slpvec", "frobnicate"), ("slpvec-dataset", "info"),
                        ("slpvec-dataset", "verify")]
    assert not runs_help("slpvec", "frobnicate")
    assert runs_help("slpvec", "cc") and runs_help("slpvec-dataset", "verify")
    assert development_paths("see ../shared/DESIGN.md\nok\nin /root/.cache") == [
        "see ../shared/DESIGN.md", "in /root/.cache"]
