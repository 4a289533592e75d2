"""The compiled knowledge snapshot cached on disk: used only while every data file and the
compiling code are unchanged; anything unreadable, corrupt or foreign means a full load."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dystonia_cds.knowledge.base import KnowledgeBase
from dystonia_cds.knowledge.loader import DATA_DIR, load_validated
from dystonia_cds.knowledge.snapshot import FORMAT, cache_dir, load_cached, snapshot_key


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DYSTONIA_CDS_KNOWLEDGE_CACHE", raising=False)
    return tmp_path / "xdg" / "dystonia-cds"


class Builder:
    """A full, validated load that counts how often it ran."""

    def __init__(self, directory: Path = DATA_DIR) -> None:
        self.directory = directory
        self.calls = 0

    def __call__(self) -> KnowledgeBase:
        self.calls += 1
        return load_validated(self.directory)


def _snapshots(folder: Path) -> list[Path]:
    return sorted(folder.glob("knowledge-*.pickle"))


def test_the_first_load_validates_and_writes_and_the_second_reads_the_snapshot(
    private_cache: Path,
) -> None:
    build = Builder()
    first = load_cached(DATA_DIR, build)
    second = load_cached(DATA_DIR, build)
    assert build.calls == 1
    assert cache_dir() == private_cache
    [snapshot] = _snapshots(private_cache)
    assert snapshot.name == f"knowledge-{snapshot_key(DATA_DIR)}.pickle"
    assert oct(snapshot.stat().st_mode & 0o777) == oct(0o600)
    assert second is not first
    assert second.version == first.version
    assert [o.id for o in second.options] == [o.id for o in first.options]
    assert second.feature_bits == first.feature_bits


def test_a_changed_data_file_is_never_served_from_a_stale_snapshot(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    build = Builder(data)
    load_cached(data, build)
    alerts = data / "alerts.toml"
    alerts.write_text(alerts.read_text().replace("Patient aged {age}", "Aged {age}"))
    changed = load_cached(data, build)
    assert build.calls == 2
    message = next(a.message for a in changed.alerts if a.id == "anticholinergic-older-adult")
    assert message.startswith("Aged {age}")


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a pickle"),
        lambda p: p.write_bytes(p.read_bytes()[:100]),
        lambda p: p.write_bytes(b""),
        lambda p: p.chmod(0o666),
    ],
    ids=["garbage", "truncated", "empty", "writable-by-others"],
)
def test_a_damaged_or_unsafe_snapshot_is_ignored_and_replaced(
    private_cache: Path, damage: Callable[[Path], object]
) -> None:
    build = Builder()
    load_cached(DATA_DIR, build)
    [snapshot] = _snapshots(private_cache)
    damage(snapshot)
    kb = load_cached(DATA_DIR, build)
    assert build.calls == 2
    assert kb.options
    assert load_cached(DATA_DIR, build) is not None
    assert build.calls == 2  # rewritten and read again


def test_a_snapshot_for_another_key_or_format_is_not_used(private_cache: Path) -> None:
    build = Builder()
    kb = load_cached(DATA_DIR, build)
    [snapshot] = _snapshots(private_cache)
    for payload in ((FORMAT, "another-key", kb), (b"another format", snapshot_key(DATA_DIR), kb)):
        snapshot.write_bytes(pickle.dumps(payload))
        load_cached(DATA_DIR, build)
    assert build.calls == 3


def test_an_unwritable_cache_folder_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    build = Builder()
    assert load_cached(DATA_DIR, build).options
    assert load_cached(DATA_DIR, build).options
    assert build.calls == 2


def test_the_cache_can_be_turned_off(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYSTONIA_CDS_KNOWLEDGE_CACHE", "off")
    build = Builder()
    load_cached(DATA_DIR, build)
    load_cached(DATA_DIR, build)
    assert build.calls == 2
    assert not private_cache.exists()


PROBE = (
    "import sys; from dystonia_cds.knowledge import load_knowledge; kb = load_knowledge(); "
    "print(kb.version, 'dystonia_cds.knowledge.models' in sys.modules)"
)


def test_a_warm_snapshot_skips_the_pydantic_models_in_a_new_process(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("DYSTONIA_CDS_KNOWLEDGE_CACHE", None)

    def probe() -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, capture_output=True, check=True, timeout=60
        )
        return out.stdout.decode().split()

    cold, warm = probe(), probe()
    assert cold[1] == "True"
    assert warm == [cold[0], "False"]


def test_another_catalogue_gets_its_own_snapshot_beside_the_knowledge(
    private_cache: Path, tmp_path: Path
) -> None:
    data = tmp_path / "catalogue"
    data.mkdir()
    (data / "entries.toml").write_text('version = "1"\n')
    calls: list[int] = []

    def build() -> dict[str, str]:
        calls.append(1)
        return {"version": "1"}

    load_cached(DATA_DIR, Builder())
    first = load_cached(data, build, name="catalogue", kind=dict, code=())
    second = load_cached(data, build, name="catalogue", kind=dict, code=())
    assert first == second == {"version": "1"}
    assert len(calls) == 1
    assert len(list(private_cache.glob("catalogue-*.pickle"))) == 1
    assert len(_snapshots(private_cache)) == 1


def test_without_a_home_folder_the_knowledge_still_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    build = Builder()
    assert load_cached(DATA_DIR, build).options
    assert build.calls == 1
