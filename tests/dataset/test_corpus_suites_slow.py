"""Every C file a fetched corpus suite lists compiles with its manifest's flags
(slow: needs the suites, from $SLPVEC_MIRRORS / the cache / upstream; fails
with the fetch command when they cannot be had)."""

import pytest

from dataset import corpus
from slpvec.errors import SlpvecError
from slpvec.inputs import compile_c

from ..conftest import require_sources

FETCHED = corpus.corpus_manifests().fetched


@pytest.mark.slow
@pytest.mark.parametrize("name", FETCHED)
def test_every_listed_file_of_a_fetched_suite_compiles(name):
    sources = corpus.corpus_manifests()
    [folder] = require_sources(lambda: corpus.prepare(corpus.DEFAULT_CACHE, only=name,
                                                      log=lambda line: None), sources)
    [suite] = [s for s in corpus.SUITES if s.name == name]
    files = suite.files(folder)
    assert files, f"{name}: no C file matches {suite.sources} in {folder}"
    failures = []
    for path in files:
        try:
            compile_c(path, "haswell")
        except SlpvecError as err:
            failures.append(f"{path.relative_to(folder)}: {str(err).splitlines()[0]}")
    assert not failures, "\n".join(failures)
