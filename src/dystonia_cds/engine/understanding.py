"""What the engine reads from a `Phenotype` alone (no dates, no drugs): its feature words,
involved regions, body distribution and the sorted ids the understood phenotype reports.

Derived once per distinct phenotype (onset aside) and memoised on the knowledge base
(`kb.derived`), so patients who share a phenotype share the work; equal phenotypes give equal
facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from dystonia_cds.domain.patient import (
    BodyRegion,
    Distribution,
    DystoniaForm,
    Phenotype,
    Variability,
)
from dystonia_cds.domain.phenotype import distribution_of, involved_regions
from dystonia_cds.knowledge.base import KnowledgeBase

DERIVED_LIMIT = 20_000  # distinct phenotypes kept (a bounded cache)

_FORM = {x: f"form:{x.value}" for x in DystoniaForm}
_REGION = {x: f"region:{x.value}" for x in BodyRegion}
_DIST = {x: f"dist:{x.value}" for x in Distribution}
_VARIABILITY = {x: f"variability:{x.value}" for x in Variability}
_ACUTE_ONLY = frozenset({DystoniaForm.ACUTE_DRUG_INDUCED})
_DRUG_INDUCED = frozenset({DystoniaForm.TARDIVE, DystoniaForm.OTHER_DRUG_INDUCED})


@dataclass(frozen=True, slots=True)
class PhenotypeFacts:
    features: tuple[str, ...]
    regions: frozenset[BodyRegion]
    distribution: str | None
    acute_form: bool  # the acute drug-induced form is named
    chronic_forms: bool  # some form other than the acute one
    tardive: bool
    forms: tuple[str, ...]  # sorted, as the understood phenotype reports them
    region_ids: tuple[str, ...]
    variability: tuple[str, ...]
    genes: tuple[str, ...]


def phenotype_facts(p: Phenotype, kb: KnowledgeBase) -> PhenotypeFacts:
    """The memoised facts of one phenotype, keyed by the fields `derive_facts` reads (not the
    onset age and date, which make nearly every patient's phenotype distinct)."""
    memo = kb.derived
    key = ("phenotype", p.forms, p.regions, p.distribution, p.course, p.variability,
           p.association, p.etiology, p.genes)  # fmt: skip
    facts: PhenotypeFacts | None = memo.get(key)
    if facts is None:
        if len(memo) >= DERIVED_LIMIT:
            memo.clear()
        facts = memo[key] = derive_facts(p)
    return facts


def derive_facts(p: Phenotype) -> PhenotypeFacts:
    regions = involved_regions(p)
    dist = distribution_of(p)
    return PhenotypeFacts(
        features=tuple(_features(p, regions, dist)),
        regions=regions,
        distribution=dist.value if dist is not None else None,
        acute_form=DystoniaForm.ACUTE_DRUG_INDUCED in p.forms,
        chronic_forms=not p.forms <= _ACUTE_ONLY,
        tardive=DystoniaForm.TARDIVE in p.forms,
        forms=sorted_ids(p.forms),
        region_ids=sorted_ids(regions),
        variability=sorted_ids(p.variability),
        genes=sorted_ids(p.genes),
    )


def _features(p: Phenotype, regions: frozenset[BodyRegion], dist: Distribution | None) -> list[str]:
    f = [_FORM[x] for x in p.forms]
    f.extend(_REGION[r] for r in regions)
    if BodyRegion.LARYNX in regions:
        f.append("laryngeal")
    if dist is not None:
        f.append(_DIST[dist])
    if p.genes:
        f.append("gene-known")
        f.extend("gene:" + g for g in p.genes)
    if p.genes or p.forms & _DRUG_INDUCED:
        # another cause established (a confirmed causative gene, a drug): ends work-ups that
        # EFNS reserves for dystonia "lacking an alternative diagnosis" (R5)
        f.append("cause-established")
    f.extend(_VARIABILITY[v] for v in p.variability)
    if p.etiology is not None:
        f.append("etiology:" + p.etiology)
    if p.association is not None:
        f.append("association:" + p.association)
    if p.course is not None:
        f.append("course:" + p.course)
    return f


def sorted_ids(items: frozenset[str]) -> tuple[str, ...]:
    if not items:
        return ()
    return tuple(sorted(items)) if len(items) > 1 else tuple(items)
