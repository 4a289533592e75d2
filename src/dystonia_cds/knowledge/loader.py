"""Load the knowledge base; the only I/O in the core.

`load_knowledge()` reads the package data once per process and caches the result;
`load_knowledge(directory)` reads another directory of the same layout (tests, editors) and
always validates it in full. Any problem raises `KnowledgeError` naming the file, the entry
and the field.

The packaged knowledge is validated in full (pydantic, `knowledge.validation`) the first time
its files are seen; the compiled result is then cached on disk, keyed by the SHA-256 of every
data file and of the code that compiles it (`knowledge.snapshot`), so later processes skip
pydantic while the files are unchanged.
"""

from __future__ import annotations

import functools
from pathlib import Path

from dystonia_cds.knowledge.base import KnowledgeBase
from dystonia_cds.knowledge.snapshot import load_cached

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_knowledge(directory: Path | None = None) -> KnowledgeBase:
    """The validated knowledge base (package data, cached) or the one in `directory`."""
    if directory is None:
        return _load_packaged()
    return load_validated(Path(directory))


def load_validated(directory: Path) -> KnowledgeBase:
    """Full validation of the files in `directory` (imports pydantic), no snapshot."""
    from dystonia_cds.knowledge.validation import load_validated as validate

    return validate(directory)


@functools.cache
def _load_packaged() -> KnowledgeBase:
    return load_cached(DATA_DIR, lambda: load_validated(DATA_DIR))
