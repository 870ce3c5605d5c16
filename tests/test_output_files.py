"""Writing ``-o`` and ``--report``: through symlinks, to devices, over the
input, and to places that cannot be written, never clobbering or crashing."""

import json
import os
import stat
import subprocess
import sys

import pytest

from slpvec.cli import main
from slpvec.errors import OutputError
from slpvec.files import write_files, write_text_atomic

from .conftest import kernel_ir

SOURCE = kernel_ir("vec4.c")


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "in.ll"
    path.write_text(SOURCE)
    return path


def vectorize(capsys, src, *extra):
    code = main(["vectorize", str(src), "-mcpu", "haswell", *extra])
    return code, capsys.readouterr().err


def is_vectorized(text: str) -> bool:
    return "x float>" in text


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_symlink_output_replaces_the_target_and_keeps_the_link(tmp_path, source, capsys):
    target = tmp_path / "real" / "target.ll"
    target.parent.mkdir()
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.ll"
    link.symlink_to(target)
    code, _ = vectorize(capsys, source, "-o", str(link))
    assert code == 0 and link.is_symlink() and os.readlink(link) == str(target)
    assert is_vectorized(target.read_text())
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not leftovers(tmp_path) and not leftovers(target.parent)


def test_new_file_gets_the_mode_of_a_new_file(tmp_path, source, capsys):
    old = os.umask(0o022)
    try:
        code, _ = vectorize(capsys, source, "-o", str(tmp_path / "new.ll"),
                            "--report", str(tmp_path / "r.json"))
    finally:
        os.umask(old)
    assert code == 0
    for name in ("new.ll", "r.json"):  # not mkstemp's 0600
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


def test_fifo_is_written_through(tmp_path, source, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the output fits the pipe buffer
    try:
        code, _ = vectorize(capsys, source, "-o", str(fifo))
        received = os.read(reader, 1 << 16).decode()
    finally:
        os.close(reader)
    assert code == 0 and stat.S_ISFIFO(fifo.stat().st_mode)
    assert is_vectorized(received)


def test_link_to_standard_output_is_written_through(tmp_path, source):
    """Like ``-o /dev/stdout``, whose link resolves to a pipe, not a path."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    proc = subprocess.run([sys.executable, "-m", "slpvec.cli", "vectorize", str(source),
                           "-mcpu", "haswell", "-o", str(link)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert is_vectorized(proc.stdout) and link.is_symlink()


def test_character_device_is_written_through(tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except (PermissionError, AttributeError):
        pytest.skip("cannot create a device node here")
    write_text_atomic(null, "text\n")
    assert stat.S_ISCHR(null.stat().st_mode) and leftovers(tmp_path) == []


def test_output_may_be_the_ir_input(source, capsys):
    code, _ = vectorize(capsys, source, "-o", str(source))
    assert code == 0 and is_vectorized(source.read_text())


def test_output_over_a_c_input_or_a_report_over_the_output_is_refused(tmp_path, capsys):
    c_source = tmp_path / "k.c"
    c_source.write_text("void f(float *a) { a[0] += 1; a[1] += 1; }\n")
    code, err = vectorize(capsys, c_source, "-o", str(c_source))
    assert code == 1 and err.count("\n") == 1 and "is the input file; refusing" in err
    assert c_source.read_text().startswith("void f")
    out = tmp_path / "o.ll"
    code, err = vectorize(capsys, c_source, "-o", str(out), "--report", str(out))
    assert code == 1 and "-o and --report name the same file" in err and not out.exists()


def unwritable_places(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    return [("folder", "is a directory"),
            ("file/sub/out.ll", "not a directory"),
            ("file/out.ll", "not a directory")]


@pytest.mark.parametrize("flag", ["-o", "--report"])
def test_unwritable_place_is_one_line_and_writes_nothing(tmp_path, source, capsys, flag):
    for place, reason in unwritable_places(tmp_path):
        out, report = tmp_path / "out.ll", tmp_path / "report.json"
        paths = {"-o": str(out), "--report": str(report), flag: str(tmp_path / place)}
        code, err = vectorize(capsys, source, *[x for kv in paths.items() for x in kv])
        assert code == 1, place
        assert err == f"slpvec: error: cannot write {tmp_path / place}: {reason}\n"
        assert not out.exists() and not report.exists()  # neither half was written
        assert not leftovers(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_directory_without_permission(tmp_path, source, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, err = vectorize(capsys, source, "-o", str(locked / "out.ll"))
    assert code == 1
    assert err == f"slpvec: error: cannot write {locked / 'out.ll'}: permission denied\n"


def test_write_files_stages_all_before_any_is_in_place(tmp_path):
    (tmp_path / "first.txt").write_text("old")
    with pytest.raises(OutputError, match="cannot write .*: is a directory"):
        write_files([(tmp_path / "first.txt", "new"), (tmp_path, "never")])
    assert (tmp_path / "first.txt").read_text() == "old" and not leftovers(tmp_path)


def test_report_is_written_with_the_output(tmp_path, source, capsys):
    code, _ = vectorize(capsys, source, "-o", str(tmp_path / "o.ll"),
                        "--report", str(tmp_path / "r.json"))
    assert code == 0 and json.loads((tmp_path / "r.json").read_text())["blocks"]
