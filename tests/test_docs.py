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


def _train_main(argv):
    from models.train_cli import main
    return main(argv)


# programs the commands tables name, and their entry points
PROGRAMS = {"slpvec": _slpvec_main, "slpvec-dataset": _dataset_main,
            "slpvec-train": _train_main}
WITHOUT_SUBCOMMANDS = {"slpvec-train"}


def development_paths(text: str) -> list[str]:
    """Lines of ``text`` naming a path of a development machine."""
    return [line.strip() for line in text.splitlines()
            if any(path in line for path in DEVELOPMENT_PATHS)]


def section(text: str, title: str) -> str:
    """The body of the ``## title`` section of a markdown text ("" if none)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def table_commands(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(program, subcommand, options) named in the first column of every
    table of ``text``: `` `slpvec cost IN [--json]` `` gives ("slpvec",
    "cost", ("--json",)); a later span of the same cell without a program
    (`` / `verify OUT` ``) is another subcommand of the same program; a
    program without subcommands has "" as its subcommand."""
    found = []
    for line in text.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        first_cell = re.split(r"(?<!\\)\|", line)[1]  # "\|" is a pipe inside a cell
        program = None
        for span in re.findall(r"`([^`]+)`", first_cell):
            words = span.split()
            if words[0] in PROGRAMS:
                program, words = words[0], words[1:]
            elif program is None:
                break
            if program in WITHOUT_SUBCOMMANDS:
                words = ["", *words]
            if words and re.fullmatch(r"[a-z][a-z-]*|", words[0]):
                options = tuple(m.group(1) for w in words[1:]
                                if (m := re.match(r"\[?(--?[a-z][a-z-]*)", w)))
                found.append((program, words[0], options))
    return found


def help_text(program: str, subcommand: str) -> str | None:
    """What ``program subcommand --help`` prints, None unless it exits with 0."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            status = PROGRAMS[program]([subcommand, "--help"] if subcommand else ["--help"])
        except SystemExit as done:
            status = done.code
    return out.getvalue() if status in (0, None) else None


def unknown(program: str, subcommand: str, options: tuple[str, ...]) -> list[str]:
    """The command if the CLI does not have it, else its options its help does not name."""
    text = help_text(program, subcommand)
    if text is None:
        return [f"{program} {subcommand}".strip()]
    return [" ".join(filter(None, (program, subcommand, option))) for option in options
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text)]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_name_no_development_machine_path(path):
    assert development_paths(path.read_text()) == []


# a path of this repository, as the documentation writes one in backticks
REPO_PATH = re.compile(r"`((?:slpvec|ilp_oracle|models|dataset|nas_bench|plugin|tests|scripts|"
                       r"docs|examples|bench)/[\w/.-]*)`")


def missing_paths(text: str) -> list[str]:
    """Repository paths named in ``text`` that do not exist."""
    return sorted({path for path in REPO_PATH.findall(text) if not (ROOT / path).exists()})


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_name_only_paths_that_exist(path):
    assert missing_paths(path.read_text()) == []


def test_readme_points_to_the_design_in_the_repository():
    assert "docs/DESIGN.md" in README.read_text()
    assert (ROOT / "docs" / "DESIGN.md").is_file()


def test_every_command_and_option_of_the_readme_tables_exists():
    commands = table_commands(section(README.read_text(), "Commands"))
    assert ("slpvec", "vectorize") in [c[:2] for c in commands]  # the table was read
    assert [u for command in commands for u in unknown(*command)] == []


def test_the_checks_catch_what_they_look_for():
    text = ("## Commands\n\n| command | what it does |\n|---|---|\n"
            "| `slpvec frobnicate IN` | nothing |\n"
            "| `slpvec-dataset info OUT` / `verify OUT` | x |\n"
            "| `slpvec-dataset sources OUT [--kind a\\|b] [--fodl K/N]` | typo |\n"
            "| `slpvec vectorize IN -o OUT [--polcy P]` | typo |\n"
            "| `slpvec-train --data DS [--epoch N]` | train |\n\n## Next\n| `slpvec later` | x |\n")
    commands = table_commands(section(text, "Commands"))
    assert commands == [("slpvec", "frobnicate", ()), ("slpvec-dataset", "info", ()),
                        ("slpvec-dataset", "verify", ()),
                        ("slpvec-dataset", "sources", ("--kind", "--fodl")),
                        ("slpvec", "vectorize", ("-o", "--polcy")),
                        ("slpvec-train", "", ("--data", "--epoch"))]
    assert [u for command in commands for u in unknown(*command)] == [
        "slpvec frobnicate", "slpvec-dataset sources --fodl", "slpvec vectorize --polcy",
        "slpvec-train --epoch"]
    assert unknown("slpvec", "cc", ("--policy", "--report-dir")) == []
    assert development_paths("see ../shared/DESIGN.md\nok\nin /root/.cache") == [
        "see ../shared/DESIGN.md", "in /root/.cache"]
    assert missing_paths("`slpvec/driver.py`, `slpvec/drivers.py`, `slpvec/tools/`") == [
        "slpvec/drivers.py"]
