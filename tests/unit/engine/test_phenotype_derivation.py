"""Body distribution derived from regions (Albanese 2013 axis I) and onset age."""

from __future__ import annotations

from datetime import date

import pytest

from builders import phenotype
from dystonia_cds.domain.patient import BodyRegion, Distribution
from dystonia_cds.domain.phenotype import derive_distribution, distribution_of, onset_age

R = BodyRegion


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        ((), None),
        ((R.NECK,), Distribution.FOCAL),
        ((R.EYES, R.NECK), Distribution.SEGMENTAL),  # cranial + cervical
        ((R.EYES, R.LOWER_FACE), Distribution.SEGMENTAL),  # Meige
        ((R.NECK, R.UPPER_LIMB), Distribution.SEGMENTAL),
        ((R.EYES, R.LOWER_LIMB), Distribution.MULTIFOCAL),
        ((R.TRUNK, R.LOWER_LIMB), Distribution.SEGMENTAL),
        ((R.TRUNK, R.UPPER_LIMB, R.LOWER_LIMB), Distribution.GENERALIZED),
        ((R.TRUNK, R.NECK, R.EYES), Distribution.GENERALIZED),
    ],
)
def test_distribution_is_derived_from_regions(
    regions: tuple[BodyRegion, ...], expected: Distribution | None
) -> None:
    assert derive_distribution(frozenset(regions)) == expected


def test_named_focal_forms_imply_their_region() -> None:
    p = phenotype(forms=["cervical-dystonia", "blepharospasm"])
    assert distribution_of(p) == Distribution.SEGMENTAL


def test_a_stated_distribution_wins_over_the_regions() -> None:
    p = phenotype(regions=["neck"], distribution="hemidystonia")
    assert distribution_of(p) == Distribution.HEMIDYSTONIA


def test_onset_age_comes_from_the_onset_date_when_not_stated() -> None:
    p = phenotype(forms=["cervical-dystonia"], onset_date=date(2020, 1, 1))
    assert onset_age(p, date(1980, 1, 1)) == pytest.approx(40.0, abs=0.01)
    assert onset_age(p, None) is None
    assert onset_age(phenotype(onset_age=12), None) == 12
