"""The feature vocabulary: the words knowledge triggers may use.

The engine turns a patient record into a set of features (plain strings such as
`form:cervical-dystonia`, `condition:depression`, `class:maoi@14`, `failed:baclofen`);
knowledge triggers are written in these words and checked against this vocabulary at load
time, so a typo in a data file stops start-up instead of silently never firing.
"""

from __future__ import annotations

from collections.abc import Mapping

from dystonia_cds.domain.patient import (
    Association,
    BodyRegion,
    Course,
    Distribution,
    DystoniaForm,
    Etiology,
    Variability,
)

FIXED: frozenset[str] = frozenset(
    {
        "dystonia",  # any active dystonia recorded
        "acute",  # acute drug-induced dystonic reaction recognised
        "acute-by-timing",  # ... recognised from onset shortly after a dopamine blocker
        "chronic",  # dystonia other than an acute drug reaction
        "culprit-known",  # a dopamine-blocking drug on record explains the acute reaction
        "acute-history",  # a recorded acute reaction past its acute phase (history)
        "laryngeal",  # larynx involved (airway)
        "age-known",
        "child",  # under the child limit (18 y): pediatric doses
        "child-or-adolescent",  # 20 years or younger (Albanese adolescence 13-20 y)
        "adult",
        "older-adult",  # Beers age (65 y)
        "over-60",  # trihexyphenidyl label: patients over 60 more sensitive
        "neonate",
        "under-3",
        "under-7",
        "onset-known",
        "onset-early",
        "onset-under-50",
        "onset-under-30",
        "refractory",
        "bont-ongoing",
        "bont-too-soon",
        "bont-due",
        "bont-overdue",
        "bont-loss-of-benefit",
        "bont-product-switch",
        "bont-response-lost",  # good toxin response(s), then an ineffective cycle (trials)
        "bont-both-serotypes-failed",  # type A and type B toxin both without adequate benefit
        "dose-above-limit",  # a drug taken above a reference dose limit
        "diary-urgent-side-effect",  # trouble swallowing or breathing reported since the last injection
        "diary-wearing-off",  # benefit lost before week 10 in two consecutive toxin cycles (diary)
        "cause-established",
        "contraindicated-in-use",  # (set by the engine's plan) a contraindicated option is taken
        "caution-in-use",  # (set by the engine's plan) an alert_in_use caution applies to a drug taken  # another cause on record: drug-induced, a causative gene
        "dbs-in-place",
        "gene-known",  # any gene finding on record
    }
)

ENUM_PREFIXES: Mapping[str, frozenset[str]] = {
    "form": frozenset(f.value for f in DystoniaForm),
    "dist": frozenset(d.value for d in Distribution),
    "region": frozenset(r.value for r in BodyRegion),
    "etiology": frozenset(e.value for e in Etiology),
    "association": frozenset(a.value for a in Association),
    "course": frozenset(c.value for c in Course),
    "variability": frozenset(v.value for v in Variability),
}

OPTION_PREFIXES = ("tried", "failed", "current", "good", "partial", "listed")


def feature_problem(feature: str, vocab: Mapping[str, frozenset[str]]) -> str | None:
    """None when the feature is a known word; otherwise why it is not.

    `vocab` maps the data-defined prefixes (gene, condition, finding, class, active,
    ingredient, onset-band and the option prefixes) to their allowed values.
    """
    if feature in FIXED:
        return None
    prefix, sep, value = feature.partition(":")
    if not sep:
        return f"unknown feature {feature!r}"
    if prefix in ("class", "ingredient") and "@" in value:
        value, _, days = value.partition("@")
        if not days.isdigit():
            return f"feature {feature!r}: days after '@' must be a whole number"
    elif prefix == "ingredient":
        return f"feature {feature!r}: 'ingredient:' needs a window, e.g. ingredient:reserpine@20"
    allowed = ENUM_PREFIXES.get(prefix) or vocab.get(prefix)
    if allowed is None:
        return f"feature {feature!r}: unknown prefix {prefix!r}"
    if value not in allowed:
        return f"feature {feature!r}: unknown {prefix} id {value!r}"
    return None


def windowed(feature: str) -> tuple[str, str, int] | None:
    """('class'|'ingredient', id, days) for a windowed feature such as class:maoi@14."""
    prefix, _, value = feature.partition(":")
    if prefix not in ("class", "ingredient") or "@" not in value:
        return None
    ident, _, days = value.partition("@")
    return prefix, ident, int(days)
