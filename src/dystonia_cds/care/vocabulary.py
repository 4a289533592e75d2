"""Public descriptions for the REST API and the web app: the scales and the injection
vocabulary, shaped as DESIGN.md's `GET /api/scales` and `GET /api/injection-vocabulary`."""

from __future__ import annotations

from typing import Any

from dystonia_cds.knowledge.care_catalog import ScaleDefinition, load_care_catalog


def scale_definitions() -> list[dict[str, Any]]:
    """`[{"id", "name", "items": [{"key", "label", "min", "max", "subscale"}], "subscales",
    ...}]` — the item keys and ranges `score_assessment` accepts.

    Extra keys beside the contract's: `name`, `subscale_ranges` ({id: [min, max]} including
    "total"), `unverified_items` (keys whose range the reference tags [U]), `note`, `sources`.
    """
    return [_scale(s) for s in load_care_catalog().scales.scales]


def _scale(scale: ScaleDefinition) -> dict[str, Any]:
    ranges = {s.id: [s.min, s.max] for s in scale.subscales}
    total_max = sum(r[1] for r in ranges.values()) if ranges else _items_max(scale)
    return {
        "id": scale.id,
        "name": scale.name,
        "items": [
            {"key": i.key, "label": i.label, "min": i.min, "max": i.max, "subscale": i.subscale}
            for i in scale.items
        ],
        "subscales": [s.id for s in scale.subscales],
        "subscale_ranges": {**ranges, "total": [0, total_max]},
        "unverified_items": [i.key for i in scale.items if not i.verified],
        "note": scale.note,
        "sources": list(scale.sources),
    }


def _items_max(scale: ScaleDefinition) -> int:
    return int(sum(i.weight * i.max for i in scale.items))


def injection_vocabulary() -> dict[str, Any]:
    """`{"products", "indications", "sides", "muscles": [{"id", "region", "label"}]}` — the ids
    the injection endpoint accepts; extra keys: `guidance`, `regions` ({indication: [region]}),
    `product_details` (brand, serotype, FDA-labelled dystonia indications with sources)."""
    catalog = load_care_catalog().botulinum
    return {
        "products": [p.id for p in catalog.products],
        "indications": [i.id for i in catalog.indications],
        "sides": list(catalog.sides),
        "muscles": [{"id": m.id, "region": m.region, "label": m.label} for m in catalog.muscles],
        "guidance": list(catalog.guidance),
        "regions": {i.id: list(i.regions) for i in catalog.indications},
        "product_details": [
            {
                "id": p.id,
                "brand": p.brand,
                "serotype": p.serotype,
                "labelled_indications": [
                    {"indication": x.indication, "population": x.population, "source": x.source}
                    for x in p.labelled
                ],
            }
            for p in catalog.products
        ],
    }
