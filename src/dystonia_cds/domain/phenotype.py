"""Pure helpers over the phenotype: body distribution from regions (Albanese 2013 axis I),
regions implied by named focal forms, onset age from dates.

Distribution rules (reference §1.2, R1): one region = focal; two or more contiguous
regions = segmental; two or more non-contiguous regions = multifocal; trunk plus at least
two other regions = generalized. Hemidystonia needs the body side, which the regions do
not carry, so it is never derived: it must be stated.
"""

from __future__ import annotations

from datetime import date

from dystonia_cds.domain.patient import BodyRegion, Distribution, DystoniaForm, Phenotype

_R = BodyRegion

# Pairs of body regions that touch (for "contiguous" in the segmental definition).
_ADJACENT: frozenset[frozenset[BodyRegion]] = frozenset(
    frozenset(pair)
    for pair in (
        # the cranial segment (eyes, lower face, larynx) and its border with the neck
        (_R.EYES, _R.LOWER_FACE),
        (_R.EYES, _R.LARYNX),
        (_R.LOWER_FACE, _R.LARYNX),
        (_R.EYES, _R.NECK),
        (_R.LOWER_FACE, _R.NECK),
        (_R.LARYNX, _R.NECK),
        (_R.NECK, _R.UPPER_LIMB),
        (_R.NECK, _R.TRUNK),
        (_R.UPPER_LIMB, _R.TRUNK),
        (_R.TRUNK, _R.LOWER_LIMB),
    )
)

# The region a named focal form lives in.
FORM_REGIONS: dict[DystoniaForm, BodyRegion] = {
    DystoniaForm.CERVICAL: _R.NECK,
    DystoniaForm.BLEPHAROSPASM: _R.EYES,
    DystoniaForm.OROMANDIBULAR: _R.LOWER_FACE,
    DystoniaForm.LARYNGEAL: _R.LARYNX,
    DystoniaForm.TASK_SPECIFIC_LIMB: _R.UPPER_LIMB,
}

DAYS_PER_YEAR = 365.25


def involved_regions(phenotype: Phenotype) -> frozenset[BodyRegion]:
    """Regions stated plus the regions implied by named focal forms."""
    implied = {FORM_REGIONS[f] for f in phenotype.forms if f in FORM_REGIONS}
    return phenotype.regions | implied if implied else phenotype.regions


def is_contiguous(regions: frozenset[BodyRegion]) -> bool:
    """True when the regions form one connected group of touching regions."""
    if not regions:
        return False
    start = next(iter(sorted(regions)))
    seen = {start}
    frontier = [start]
    while frontier:
        here = frontier.pop()
        for other in regions - seen:
            if frozenset((here, other)) in _ADJACENT:
                seen.add(other)
                frontier.append(other)
    return len(seen) == len(regions)


def derive_distribution(regions: frozenset[BodyRegion]) -> Distribution | None:
    """Axis I body distribution from the involved regions; None when no region is known."""
    if not regions:
        return None
    if len(regions) == 1:
        return Distribution.FOCAL
    if _R.TRUNK in regions and len(regions) >= 3:
        return Distribution.GENERALIZED
    return Distribution.SEGMENTAL if is_contiguous(regions) else Distribution.MULTIFOCAL


def _all_subsets() -> dict[frozenset[BodyRegion], Distribution | None]:
    regions = list(BodyRegion)
    table: dict[frozenset[BodyRegion], Distribution | None] = {}
    for mask in range(1 << len(regions)):
        subset = frozenset(r for n, r in enumerate(regions) if mask >> n & 1)
        table[subset] = derive_distribution(subset)
    return table


# Every combination of regions, derived once (a constant table: 2^7 entries).
DISTRIBUTIONS = _all_subsets()


def distribution_of(phenotype: Phenotype) -> Distribution | None:
    """The stated distribution, else the one derived from the involved regions."""
    if phenotype.distribution is not None:
        return phenotype.distribution
    return DISTRIBUTIONS[involved_regions(phenotype)]


def onset_age(phenotype: Phenotype, birth_date: date | None) -> float | None:
    """Age at onset in years: stated, else from the onset date and the birth date."""
    if phenotype.onset_age_years is not None:
        return phenotype.onset_age_years
    if phenotype.onset_date is not None and birth_date is not None:
        days = (phenotype.onset_date - birth_date).days
        return days / DAYS_PER_YEAR if days >= 0 else None
    return None
