"""Alert discipline in the web app: the action each alert carries, where it is shown, and the
digest that keeps an acknowledged alert quiet until the facts behind it change.

- Severity comes from the engine. `critical` and `warning` alerts interrupt (the alert list at
  the top of the patient page, the "With alerts" filter); `info` alerts are context.
- Every warning or critical alert carries the action its message states: a link to the web
  form that does it (`ALERT_ACTIONS`). An alert without one is "unactionable" (counted by
  `bench/alert_burden.py`, whose target is none).
- The botulinum-toxin interval alerts (too soon, due, overdue) live in the next-injection
  panel, not in the alert list (`PANEL_ALERTS`).
- An acknowledgement is keyed by the alert id and `alert_digest(alert)`: the facts the rule
  used and its message with elapsed-time figures (weeks since, age in years) masked, so that
  the passing of time alone does not bring an alert back, but a new fact (a new injection
  date, another drug, a changed onset age) does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dystonia_cds.domain.recommendation import Alert, Severity

INTERRUPTIVE = frozenset({Severity.CRITICAL, Severity.WARNING})
PANEL_ALERTS = frozenset(
    {"botulinum-toxin-too-soon", "botulinum-toxin-due", "botulinum-toxin-overdue"}
)
_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
# "20 weeks" since an injection, "age 9" / "aged 70" now; not "onset age 12" (a fact)
_ELAPSED = re.compile(r"\b\d+(?:\.\d+)? weeks\b|(?<!onset )\b(?:age|aged) \d+(?:\.\d+)?\b")


@dataclass(frozen=True, slots=True)
class AlertAction:
    """A link to the form that does what the alert asks; `target` is relative to the
    patient's page (`/trials/new`) or an anchor on it (`#options-h`)."""

    label: str
    target: str

    def href(self, patient_id: str) -> str:
        if self.target.startswith("#"):
            return self.target
        return f"/patients/{patient_id}{self.target}"


_INJECTION = AlertAction("Record an injection visit", "/injections/new")
_DRUG_CHANGE = AlertAction("Record the drug change (stop date or new drug)", "/medications/new")

ALERT_ACTIONS: Mapping[str, tuple[AlertAction, ...]] = {
    "acute-dystonic-reaction": (
        AlertAction("Record the treatment given", "/medications/new"),
        AlertAction("See diphenhydramine and benztropine below", "#options-h"),
    ),
    "levodopa-trial-missing": (AlertAction("Record a levodopa trial", "/trials/new"),),
    "wilson-disease-screen": (
        AlertAction("Record the Wilson disease work-up (Work-up results)", "/edit"),
    ),
    "dbs-evaluation": (
        AlertAction("Record the DBS referral or procedure", "/trials/new"),
        AlertAction("See deep brain stimulation below", "#options-h"),
    ),
    "anticholinergic-older-adult": (_DRUG_CHANGE,),
    "tetrabenazine-depression": (_DRUG_CHANGE,),
    "botulinum-toxin-due": (_INJECTION,),
    "botulinum-toxin-overdue": (
        _INJECTION,
        AlertAction("Record that the botulinum toxin course stopped", "/trials/new"),
    ),
    "genetic-testing": (AlertAction("Record a genetic result", "/edit"),),
    "contraindicated-drug-in-use": (
        _DRUG_CHANGE,
        AlertAction("See the contraindication in the options below", "#options-h"),
    ),
    "dose-above-limit": (AlertAction("Record the dose change", "/trials/new"),),
    "caution-drug-in-use": (
        _DRUG_CHANGE,
        AlertAction("See the caution in the options below", "#options-h"),
    ),
    "botulinum-toxin-secondary-nonresponse": (
        AlertAction("Review the last sessions and plan the next one", "/injections/new"),
    ),
    "botulinum-toxin-wearing-off": (
        AlertAction("Plan the next session's dose and muscles", "/injections/new"),
    ),
    "toxin-swallowing-breathing-reported": (
        AlertAction("Record the assessment (side effects of the last session)", "/trials/new"),
    ),
}


def alert_title(alert_id: str) -> str:
    """Plain words for an alert id (pages never show the id itself): the knowledge's title."""
    from dystonia_cds.knowledge import load_knowledge  # loaded once and cached

    return load_knowledge().alert_title(alert_id)


def is_interruptive(alert: Alert) -> bool:
    return alert.severity in INTERRUPTIVE


def actions_for(alert: Alert) -> tuple[AlertAction, ...]:
    return ALERT_ACTIONS.get(alert.id, ())


def is_actionable(alert: Alert) -> bool:
    """An interruptive alert is actionable when the web app carries the action it states."""
    return bool(actions_for(alert))


def stable_message(message: str) -> str:
    """The message without the figures that change with time alone (weeks since, age)."""
    return _ELAPSED.sub("#", message)


def alert_digest(alert: Alert) -> str:
    """32 hex characters over the alert id, the facts it used and its stable message."""
    parts = [alert.id, *sorted(alert.provenance.facts), stable_message(alert.message)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def by_severity(alerts: Iterable[Alert]) -> list[Alert]:
    """Critical first, then warning, then info; the engine's order within a severity."""
    return sorted(alerts, key=lambda a: _ORDER[a.severity])


def interruptive_unacknowledged(
    alerts: Iterable[Alert], acknowledged: set[tuple[str, str]]
) -> list[Alert]:
    """The alerts that earn attention now: warning or critical, not acknowledged as they are."""
    return [a for a in alerts if is_interruptive(a) and (a.id, alert_digest(a)) not in acknowledged]
