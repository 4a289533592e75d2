"""Independent clinical cases: written from the clinical reference by a reviewer who has not
read the engine's rules (issue 10, "The check"). Synthetic patients only.

Each case in `independent/` is a FHIR-level description (see `independent/bundle.py`): it goes
through the same Bundle mapping as `dystonia-cds recommend`, then `recommend`. Expectations
cite the reference section behind them. A case with a `[disagreement]` table records where the
engine answers differently from the reference: it is a strict xfail, so a fixed engine turns it
into a failure that asks for the table to be removed.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from independent.bundle import CASE_KEYS, PART_KEYS, case_bundle
from test_golden_cases import check_expectations

from dystonia_cds.domain.recommendation import Recommendation
from dystonia_cds.engine import recommend, recommendation_to_dict
from dystonia_cds.fhir.bundle import read_bundle
from dystonia_cds.knowledge import load_knowledge

HERE = Path(__file__).parent / "independent"
CASES = sorted(HERE.glob("*.toml"))
DESIGN = Path(__file__).resolve().parents[3] / "shared" / "DESIGN.md"
# The contract's option and alert ids (DESIGN.md, "Recommendation JSON"), kept here so the test
# also runs where the shared folder is absent.
DESIGN_OPTIONS = frozenset(
    [
        "rehabilitation-therapy",
        "diphenhydramine",
        "benztropine",
        "stop-causative-drug",
        "levodopa-trial",
        "trihexyphenidyl",
        "clonazepam",
        "baclofen",
        "intrathecal-baclofen",
        "tetrabenazine",
        "botulinum-toxin",
        "deep-brain-stimulation",
    ]
)
DESIGN_ALERTS = frozenset(
    [
        "acute-dystonic-reaction",
        "botulinum-toxin-too-soon",
        "botulinum-toxin-due",
        "anticholinergic-older-adult",
        "tetrabenazine-depression",
        "levodopa-trial-missing",
        "wilson-disease-screen",
        "dbs-evaluation",
    ]
)
POSITIVE = {"first-line", "recommended", "consider"}
BASE_KEYS = ("first", "order", "strength", "absent", "alerts")
EXPECT_KEYS = frozenset(
    {*BASE_KEYS, "positive", "negative", "strength_not", "says", "alerts_include"}
    | {"alerts_exclude", "severity", "alert_says", "alert_like", "no_alert_like"}
    | {"no_alert_severity", "no_alert_says", "notes", "mentions", "not_says", "understood"}
)


def load_case(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def evaluate(case: dict[str, Any]) -> Recommendation:
    record = read_bundle(case_bundle(case), source="independent case")
    return recommend(record, load_knowledge(), on=case["on"])


def _option_text(rec: Recommendation, option_id: str) -> str:
    option = next((o for o in rec.options if o.id == option_id), None)
    assert option is not None, (option_id, [o.id for o in rec.options])
    return " ".join((option.title, *option.rationale, *option.cautions)).lower()


def _all_text(rec: Recommendation) -> str:
    parts = [_option_text(rec, o.id) for o in rec.options]
    parts += [a.message.lower() for a in rec.alerts]
    parts += [n.lower() for n in rec.notes]
    return " ".join(parts)


def _check_options(rec: Recommendation, expect: dict[str, Any]) -> None:
    strengths = {o.id: o.strength.value for o in rec.options}
    for option_id in expect.get("positive", []):
        assert strengths.get(option_id) in POSITIVE, (option_id, strengths)
    for option_id in expect.get("negative", []):
        assert strengths.get(option_id, "absent") not in POSITIVE, (option_id, strengths)
    for option_id, refused in expect.get("strength_not", {}).items():
        assert strengths.get(option_id) not in refused, (option_id, strengths)
    for option_id, phrases in expect.get("says", {}).items():
        text = _option_text(rec, option_id)
        for phrase in phrases:
            assert phrase.lower() in text, (option_id, phrase, text)


def _check_alerts(rec: Recommendation, expect: dict[str, Any]) -> None:
    alerts = {a.id: a for a in rec.alerts}
    for alert_id in expect.get("alerts_include", []):
        assert alert_id in alerts, (alert_id, sorted(alerts))
    for alert_id in expect.get("alerts_exclude", []):
        assert alert_id not in alerts, (alert_id, alerts[alert_id].message)
    for alert_id, severity in expect.get("severity", {}).items():
        assert alert_id in alerts, (alert_id, sorted(alerts))
        assert alerts[alert_id].severity.value == severity, (alert_id, alerts[alert_id].severity)
    for alert_id, phrases in expect.get("alert_says", {}).items():
        message = alerts[alert_id].message.lower()
        for phrase in phrases:
            assert phrase.lower() in message, (alert_id, phrase, message)
    for wanted in expect.get("alert_like", []):
        assert _has_alert_like(rec, wanted), (wanted, _alert_summary(rec))
    for unwanted in expect.get("no_alert_like", []):
        assert not _has_alert_like(rec, unwanted), (unwanted, _alert_summary(rec))
    for severity in expect.get("no_alert_severity", []):
        assert all(a.severity.value != severity for a in rec.alerts), _alert_summary(rec)
    for phrase in expect.get("no_alert_says", []):
        assert all(phrase.lower() not in a.message.lower() for a in rec.alerts), (
            phrase,
            _alert_summary(rec),
        )


def _has_alert_like(rec: Recommendation, wanted: dict[str, Any]) -> bool:
    severities = wanted.get("severity", ["info", "warning", "critical"])
    severities = [severities] if isinstance(severities, str) else severities
    return any(
        a.severity.value in severities
        and all(p.lower() in a.message.lower() for p in wanted.get("says", []))
        for a in rec.alerts
    )


def _alert_summary(rec: Recommendation) -> list[tuple[str, str, str]]:
    return [(a.id, a.severity.value, a.message) for a in rec.alerts]


def _check_texts(rec: Recommendation, expect: dict[str, Any]) -> None:
    everything = _all_text(rec)
    for phrase in expect.get("notes", []):
        assert any(phrase.lower() in n.lower() for n in rec.notes), rec.notes
    for phrase in expect.get("mentions", []):
        assert phrase.lower() in everything, (phrase, everything)
    for where, phrases in expect.get("not_says", {}).items():
        text = everything if where == "*" else _option_text(rec, where)
        for phrase in phrases:
            assert phrase.lower() not in text, (where, phrase)
    if expect.get("understood"):
        conditions = [u for u in rec.unrecognized if u.location.startswith("Condition")]
        assert not conditions, conditions


def check_independent(rec: Recommendation, expect: dict[str, Any]) -> None:
    """The golden harness's checks, then the independent library's extensions."""
    check_expectations(rec, {k: v for k, v in expect.items() if k in BASE_KEYS})
    _check_options(rec, expect)
    _check_alerts(rec, expect)
    _check_texts(rec, expect)


def _param(path: Path) -> Any:
    case = load_case(path)
    if "disagreement" not in case:
        return pytest.param(path, id=path.stem)
    reason = f"engine disagrees with the reference: {case['disagreement']['engine']}"
    return pytest.param(
        path, id=path.stem, marks=pytest.mark.xfail(strict=True, reason=reason[:300])
    )


@pytest.mark.parametrize("path", [_param(p) for p in CASES])
def test_independent_case(path: Path) -> None:
    case = load_case(path)
    check_independent(evaluate(case), case["expect"])


def test_every_case_cites_a_reference_section_and_has_a_date() -> None:
    assert len(CASES) >= 65
    for path in CASES:
        case = load_case(path)
        assert re.search(r"§\s?\d", case.get("reference", "")), path.name
        assert isinstance(case["on"], date), path.name
        assert case.get("description"), path.name


def _expected_ids(case: dict[str, Any]) -> tuple[set[str], set[str]]:
    expect = case["expect"]
    options = {expect["first"]} if "first" in expect else set()
    for key in ("order", "positive"):
        options.update(expect.get(key, []))
    options.update(expect.get("strength", {}))
    alerts = set(expect.get("alerts", [])) | set(expect.get("alerts_include", []))
    return options, alerts


def test_the_cases_cover_every_option_and_alert_of_the_contract() -> None:
    options: set[str] = set()
    alerts: set[str] = set()
    for path in CASES:
        case_options, case_alerts = _expected_ids(load_case(path))
        options |= case_options
        alerts |= case_alerts
    assert options >= _contract_ids("Option ids", DESIGN_OPTIONS), sorted(options)
    assert alerts >= _contract_ids("Alert ids", DESIGN_ALERTS), sorted(alerts)


def _contract_ids(heading: str, fallback: frozenset[str]) -> set[str]:
    """The ids listed in DESIGN.md after `heading`, or the copy above without the file."""
    if not DESIGN.is_file():
        return set(fallback)
    block = DESIGN.read_text(encoding="utf-8").split(heading, 1)[1].split("\n\n", 1)[0]
    ids = set(re.findall(r"`([a-z][a-z0-9-]+)`", block))
    # the alert paragraph also quotes severities (`info`, `warning`); every alert id is hyphenated
    return ids if heading == "Option ids" else {i for i in ids if "-" in i}


def test_every_icd10cm_code_in_the_cases_is_in_the_cms_tabular() -> None:
    cm = pytest.importorskip("simple_icd_10_cm")
    for path in CASES:
        for condition in load_case(path).get("conditions", []):
            if "icd10" in condition:
                assert cm.is_valid_item(condition["icd10"]), (path.name, condition["icd10"])


def test_disagreements_md_lists_exactly_the_cases_with_a_disagreement_table() -> None:
    listed = set(re.findall(r"^- `([^`]+\.toml)`", _read(HERE / "DISAGREEMENTS.md"), re.M))
    tabled = {p.name for p in CASES if "disagreement" in load_case(p)}
    assert listed == tabled


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_case_uses_only_known_keys_in_the_right_place() -> None:
    for path in CASES:
        case = load_case(path)
        assert set(case) <= CASE_KEYS, (path.name, set(case) - CASE_KEYS)
        assert set(case["expect"]) <= EXPECT_KEYS, (path.name, set(case["expect"]) - EXPECT_KEYS)
        assert set(case.get("disagreement", {})) <= {"engine", "reference"}, path.name
        for part, known in PART_KEYS.items():
            items = case.get(part, [])
            for item in [items] if isinstance(items, dict) else items:
                assert set(item) <= known, (path.name, part, set(item) - known)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_contract_order_holds_for_every_case(path: Path) -> None:
    """DESIGN.md: ranks 1..n; every negative option after every positive one; an adjunct
    (rehabilitation-therapy) never above the primary treatment it accompanies."""
    case = load_case(path)
    rec = evaluate(case)
    out = orjson.loads(orjson.dumps(recommendation_to_dict(rec)))
    assert out["evaluated_at"] == case["on"].isoformat()
    assert [o["rank"] for o in out["options"]] == list(range(1, len(out["options"]) + 1))
    positive = [o["recommendation"] in POSITIVE for o in out["options"]]
    assert positive == sorted(positive, reverse=True), [o["id"] for o in out["options"]]
    if sum(positive) > 1:
        assert out["options"][0]["id"] != "rehabilitation-therapy"
