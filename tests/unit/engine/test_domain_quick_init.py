"""`quick_init` keeps a frozen, slotted dataclass's behaviour while building it faster."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field

import pytest

from dystonia_cds.domain.construction import quick_init
from dystonia_cds.domain.patient import PatientRecord, Phenotype
from dystonia_cds.domain.recommendation import Option, Provenance, Strength, UnderstoodPhenotype


@dataclass(frozen=True, slots=True)
class Plain:
    a: str
    b: tuple[str, ...]
    c: int = 3
    d: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    a: str
    b: tuple[str, ...]
    c: int = 3
    d: str | None = None


def test_the_signature_is_the_dataclass_one() -> None:
    def shape(cls: type) -> list[tuple[str, object, object]]:
        params = inspect.signature(cls).parameters.values()
        return [(p.name, p.kind, p.default) for p in params]

    assert shape(Quick) == shape(Plain)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("x", ("y",)), {}), (("x",), {"b": (), "d": "z"}), ((), {"a": "x", "b": (), "c": 9})],
)
def test_instances_hold_the_same_values_as_the_generated_init(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    quick, plain = Quick(*args, **kwargs), Plain(*args, **kwargs)  # type: ignore[arg-type]
    assert dataclasses.astuple(quick) == dataclasses.astuple(plain)


def test_instances_stay_frozen_hashable_picklable_and_replaceable() -> None:
    q = Quick("x", ("y",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.a = "other"  # type: ignore[misc]
    assert hash(q) == hash(Quick("x", ("y",)))
    assert q == Quick("x", ("y",))
    assert pickle.loads(pickle.dumps(q)) == q  # noqa: S301 - our own bytes
    assert dataclasses.replace(q, c=1) == Quick("x", ("y",), 1)
    with pytest.raises(TypeError):
        Quick("x")  # type: ignore[call-arg]


def test_a_default_factory_makes_a_fresh_value_per_instance() -> None:
    @quick_init
    @dataclass(frozen=True, slots=True)
    class Holder:
        name: str
        items: list[str] = field(default_factory=list)

    one, two = Holder("a"), Holder("b")
    assert one.items == []
    assert one.items is not two.items
    given = ["x"]
    assert Holder("c", given).items is given
    assert Holder(name="d", items=given) == Holder("d", ["x"])


def test_a_field_outside_init_is_refused() -> None:
    with pytest.raises(TypeError, match="init=False"):

        @quick_init
        @dataclass(frozen=True, slots=True)
        class Bad:
            items: str = field(default="x", init=False)


def test_the_patient_record_builds_with_its_default_phenotype() -> None:
    one, two = PatientRecord("p"), PatientRecord("q")
    assert one.phenotype == Phenotype()
    assert one.phenotype is not two.phenotype
    assert PatientRecord(patient_id="p") == one


def test_the_recommendation_values_build_with_keywords_and_defaults() -> None:
    prov = Provenance(rule="r", facts=(), knowledge_version="k")
    assert prov.sources == ()
    o = Option("x", 1, Strength.CONSIDER, "t", (), (), (), prov)
    assert o.adjunct is False
    assert o.provenance is prov
    assert UnderstoodPhenotype().forms == ()
    assert UnderstoodPhenotype(course="static").course == "static"
