"""A corrupt cost cache is rebuilt with one warning: never a traceback,
never a silently scalar output."""

import sqlite3
from pathlib import Path

import pytest

from slpvec.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "kernels" / "saxpy4.c"


def vectorize(capsys, out: Path):
    code = main(["vectorize", str(EXAMPLE), "-mcpu", "haswell", "-o", str(out)])
    return code, capsys.readouterr().err


def garbage(db: Path):
    db.write_bytes(b"this is not a database\n" * 500)


def truncated(db: Path):
    with open(db, "r+b") as handle:
        handle.truncate(db.stat().st_size // 2)


def foreign_schema(db: Path):
    db.unlink()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE kv (k TEXT, v TEXT)")


def rows_set_to(text: str):
    def corrupt(db: Path):
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE kv SET value = ?", (text,))
    return corrupt


@pytest.mark.parametrize("corrupt", [garbage, truncated, foreign_schema, rows_set_to("{oops"),
                                     rows_set_to('"three"'), rows_set_to("NaN")],
                         ids=["garbage", "truncated", "schema", "not-json", "not-a-cost", "nan"])
def test_corrupt_cache_is_rebuilt_and_reported_once(tmp_path, monkeypatch, capsys, corrupt):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SLPVEC_CACHE_DIR", str(folder))
    out = tmp_path / "out.ll"
    assert vectorize(capsys, out)[0] == 0  # fills the cache
    db = folder / "costs.sqlite"
    with sqlite3.connect(db) as conn:  # fold the write-ahead log into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    corrupt(db)
    code, err = vectorize(capsys, out)
    assert code == 0 and "<8 x float>" in out.read_text()  # still vectorized
    warnings = [line for line in err.splitlines() if line.startswith("slpvec: warning:")]
    assert len(warnings) == 1 and "Traceback" not in err
    assert warnings[0].startswith(f"slpvec: warning: cost cache {db} was corrupt; rebuilt (")
    assert (folder / "costs.sqlite.corrupt").exists()
    code, err = vectorize(capsys, out)  # the rebuilt cache works and is quiet
    assert code == 0 and "warning" not in err and "<8 x float>" in out.read_text()
    with sqlite3.connect(db) as conn:  # the rebuilt cache was filled again
        assert conn.execute("SELECT count(*) FROM kv").fetchone()[0] > 0


def test_unopenable_cache_is_skipped_quietly(tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("SLPVEC_CACHE_DIR", str(tmp_path / "file"))
    code, err = vectorize(capsys, tmp_path / "out.ll")
    assert code == 0 and "warning" not in err and "<8 x float>" in (tmp_path / "out.ll").read_text()
