"""A health system's Bulk Data export: every patient, a share `prevalence` with dystonia.

Background patients look like Synthea records (`templates.py`): encounters with claims and
explanations of benefit, vital signs at every visit, laboratory panels with their reports,
immunizations, procedures, common conditions and prescriptions; some are deceased. A few carry
what looks like dystonia to a careless search but is not (cervicalgia, congenital
torticollis, essential tremor, botulinum toxin for migraine, diphenhydramine in older adults).
Patients with dystonia get the same background plus a record drawn like the dystonia clinic
export (`scenarios.draw_plan`). Every type is written to its own numbered files; the types
screening never reads and the prescriptions are gzip'd (`GZIP_TYPES`). Byte-identical per seed.
Synthetic data only.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import orjson

from dystonia_cds.screening.synth import templates as tpl
from dystonia_cds.screening.synth.resources import plan_resources
from dystonia_cds.screening.synth.scenarios import draw_plan

Emit = Callable[[str, bytes], None]
GZIP_TYPES = frozenset(
    {"Claim", "ExplanationOfBenefit", "DiagnosticReport", "Immunization", "MedicationRequest"}
)
DECEASED_SHARE = 0.04  # of background patients over 60
DYSTONIA_DECEASED_SHARE = 0.03
VITALS = (
    ("8302-2", "Body Height", "cm", 150.0, 190.0),
    ("29463-7", "Body Weight", "kg", 50.0, 110.0),
    ("39156-5", "Body Mass Index", "kg/m2", 18.0, 35.0),
    ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "{score}", 0.0, 6.0),
)  # fmt: skip
METABOLIC = (
    ("2339-0", "Glucose", "mg/dL", 65.0, 120.0),
    ("6299-2", "Urea Nitrogen", "mg/dL", 7.0, 20.0),
    ("38483-4", "Creatinine", "mg/dL", 0.6, 1.3),
    ("49765-1", "Calcium", "mg/dL", 8.5, 10.2),
    ("2947-0", "Sodium", "mmol/L", 135.0, 145.0),
    ("6298-4", "Potassium", "mmol/L", 3.5, 5.0),
    ("2069-3", "Chloride", "mmol/L", 96.0, 106.0),
    ("20565-8", "Carbon Dioxide", "mmol/L", 22.0, 29.0),
)  # fmt: skip
LIPIDS = (
    ("2093-3", "Total Cholesterol", "mg/dL", 150.0, 240.0),
    ("2571-8", "Triglycerides", "mg/dL", 80.0, 200.0),
    ("18262-6", "Low Density Lipoprotein Cholesterol", "mg/dL", 70.0, 160.0),
    ("2085-9", "High Density Lipoprotein Cholesterol", "mg/dL", 35.0, 80.0),
)  # fmt: skip
ENCOUNTERS = (("185349003", "Encounter for check up (procedure)"), ("185345009", "Encounter for symptom"), ("390906007", "Follow-up encounter"), ("185347001", "Encounter for problem"))  # fmt: skip
CONDITIONS = (("195662009", "Acute viral pharyngitis (disorder)"), ("444814009", "Viral sinusitis (disorder)"), ("162864005", "Body mass index 30+ - obesity (finding)"), ("40055000", "Chronic sinusitis (disorder)"), ("15777000", "Prediabetes"), ("65966004", "Fracture of forearm"), ("271737000", "Anemia (disorder)"), ("38341003", "Hypertension"), ("239873007", "Osteoarthritis of knee"), ("64859006", "Osteoporosis (disorder)"), ("88805009", "Chronic congestive heart failure (disorder)"), ("43878008", "Streptococcal sore throat (disorder)"))  # fmt: skip
MEDICATIONS = (("316672", "Simvistatin 10 MG"), ("849574", "Naproxen sodium 220 MG Oral Tablet"), ("313782", "Acetaminophen 325 MG Oral Tablet"), ("310965", "Ibuprofen 200 MG Oral Tablet"), ("316049", "Hydrochlorothiazide 25 MG"), ("866414", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet [Toprol]"), ("562251", "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet"))  # fmt: skip
PROCEDURES = (("428191000124101", "Documentation of current medications"), ("171207006", "Depression screening"), ("127783003", "Spirometry (procedure)"), ("73761001", "Colonoscopy"))  # fmt: skip
VACCINES = (("140", "Influenza, seasonal, injectable, preservative free"), ("113", "Td (adult) preservative free"), ("121", "zoster"))  # fmt: skip
# Text that a careless search would take for dystonia (none is: the mapping reads none as a form).
NEAR_MISSES = ("Cervicalgia", "Congenital torticollis", "Essential tremor", "Migraine", "Restless legs syndrome", "Chronic kidney disease")  # fmt: skip
NEAR_MISS_SHARE = 0.04


@dataclass(frozen=True, slots=True)
class _Templates:
    patient: bytes = tpl.patient()
    deceased: bytes = tpl.patient(deceased=True)
    encounter: bytes = tpl.encounter()
    claim: bytes = tpl.claim()
    eob: bytes = tpl.explanation_of_benefit()
    vital: bytes = tpl.observation("vital-signs")
    lab: bytes = tpl.observation("laboratory")
    pressure: bytes = tpl.blood_pressure()
    report: bytes = tpl.diagnostic_report()
    immunization: bytes = tpl.immunization()
    procedure: bytes = tpl.procedure()
    condition: bytes = tpl.condition()
    prescription: bytes = tpl.medication_request()
    condition_text: bytes = tpl.text_only("Condition", "code", "active")
    drug_text: bytes = tpl.text_only("MedicationRequest", "medicationCodeableConcept", "active")
    procedure_text: bytes = tpl.text_only("Procedure", "code", "completed")


_T = _Templates()


def _b(value: object) -> bytes:
    return str(value).encode()


class Person:
    """One background patient's record, written line by line through `emit`."""

    def __init__(self, rng: random.Random, emit: Emit, pid: str, birth: date, anchor: date) -> None:
        self.rng, self.emit, self.anchor = rng, emit, anchor
        self.pid, self.birth, self.n = pid.encode(), birth, 0
        self.slots: dict[bytes, bytes] = {b"pid": self.pid}

    def rid(self) -> bytes:
        self.n += 1
        return self.pid + b"-b%d" % self.n

    def line(self, kind: str, template: bytes, **values: bytes) -> None:
        slots = self.slots
        slots[b"rid"] = self.rid()
        for key, value in values.items():
            slots[key.encode()] = value
        self.emit(kind, template % slots)

    def day(self, end: date) -> date:
        span = max((end - self.birth).days, 1)
        return end - timedelta(days=self.rng.randrange(min(span, 3650)))


def write_background(person: Person, end: date) -> None:
    """Encounters (with everything recorded at them), conditions and prescriptions."""
    rng = person.rng
    for _ in range(rng.randint(3, 14)):
        _encounter(person, person.day(end))
    for code, display in rng.sample(CONDITIONS, rng.randint(0, 4)):
        _coded_condition(person, person.day(end), code, display)
    for code, display in rng.sample(MEDICATIONS, rng.randint(0, 3)):
        _prescription(person, person.day(end), code, display)
    if rng.random() < NEAR_MISS_SHARE:
        _near_miss(person, person.day(end))


def _encounter(person: Person, when: date) -> None:
    rng = person.rng
    etype, edisplay = rng.choice(ENCOUNTERS)
    enc = person.rid()
    person.slots.update(
        {b"when": when.isoformat().encode(), b"site": _b(rng.randint(1, 40)), b"enc": enc}
    )
    person.slots.update({b"etype": etype.encode(), b"edisplay": edisplay.encode()})
    person.slots[b"cost"] = b"%.2f" % rng.uniform(50, 400)
    person.emit("Encounter", _T.encounter % {**person.slots, b"rid": enc})
    person.line("Claim", _T.claim)
    person.line("ExplanationOfBenefit", _T.eob)
    for code, display, unit, low, high in VITALS:
        _measure(person, _T.vital, code, display, unit, rng.uniform(low, high))
    person.line("Observation", _T.pressure, dia=_b(rng.randint(65, 95)), sys=_b(rng.randint(105, 150)))  # fmt: skip
    if rng.random() < 0.5:
        _panel(person, METABOLIC, "51990-0", "Basic Metabolic Panel")
    if rng.random() < 0.3:
        _panel(person, LIPIDS, "57698-3", "Lipid Panel")
    _extras(person)


def _extras(person: Person) -> None:
    rng = person.rng
    if rng.random() < 0.7:
        code, display = rng.choice(PROCEDURES)
        person.line("Procedure", _T.procedure, code=code.encode(), display=display.encode())
    if rng.random() < 0.4:
        code, display = rng.choice(VACCINES)
        person.line("Immunization", _T.immunization, code=code.encode(), display=display.encode())


def _measure(person: Person, template: bytes, code: str, display: str, unit: str, value: float) -> None:  # fmt: skip
    person.line(
        "Observation", template, code=code.encode(), display=display.encode(),
        unit=unit.encode(), value=b"%.1f" % value,
    )  # fmt: skip


def _panel(person: Person, items: tuple[tuple[str, str, str, float, float], ...], code: str, name: str) -> None:  # fmt: skip
    for item, display, unit, low, high in items:
        _measure(person, _T.lab, item, display, unit, person.rng.uniform(low, high))
    person.line("DiagnosticReport", _T.report, code=code.encode(), display=name.encode())


def _coded_condition(person: Person, when: date, code: str, display: str) -> None:
    status = b"active" if person.rng.random() < 0.6 else b"resolved"
    person.line(
        "Condition", _T.condition, when=when.isoformat().encode(), status=status,
        system=tpl.SNOMED.encode(), code=code.encode(), display=display.encode(),
    )  # fmt: skip


def _prescription(person: Person, when: date, code: str, display: str) -> None:
    status = b"active" if person.rng.random() < 0.5 else b"stopped"
    person.line(
        "MedicationRequest", _T.prescription, when=when.isoformat().encode(), status=status,
        code=code.encode(), display=display.encode(),
    )  # fmt: skip


def _near_miss(person: Person, when: date) -> None:
    """What a careless search would count: near-miss text, or botulinum toxin for migraine,
    or diphenhydramine (an older adult in a Beers measure only if they had dystonia)."""
    day = when.isoformat().encode()
    text = person.rng.choice(NEAR_MISSES)
    person.line("Condition", _T.condition_text, when=day, text=text.encode())
    if text == "Migraine":
        product = b"onabotulinumtoxinA 100 UNT Injection"
        person.line("MedicationRequest", _T.drug_text, when=day, text=product)
        person.line("Procedure", _T.procedure_text, when=day, text=b"Injection of botulinum toxin")
    if (person.anchor - person.birth).days > 65 * 365:
        person.line("MedicationRequest", _T.drug_text, when=day, text=b"diphenhydramine 25 MG Oral Tablet")  # fmt: skip


def write_patient(rng: random.Random, emit: Emit, anchor: date, dystonia: bool) -> None:
    """One patient of the health system: background record, and a dystonia record if drawn."""
    pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if dystonia:
        _dystonia_patient(rng, emit, anchor, pid)
        return
    age = rng.uniform(0, 95)
    birth = anchor - timedelta(days=int(age * 365.25))
    died = _death(rng, birth, anchor) if age > 60 and rng.random() < DECEASED_SHARE else None
    person = Person(rng, emit, pid, birth, anchor)
    sex = rng.choice((b"female", b"male"))
    values = {b"birthsex": sex[:1].upper(), b"gender": sex, b"birth": birth.isoformat().encode()}
    values.update({b"family": b"Synthetic", b"given": b"Pat", b"prefix": b"Mx."})
    values.update({b"street": _b(rng.randint(1, 999)), b"when": anchor.isoformat().encode()})
    if died is not None:
        values[b"died"] = died.isoformat().encode()
    emit("Patient", (_T.deceased if died else _T.patient) % {**person.slots, **values})
    write_background(person, died or anchor)


def _death(rng: random.Random, birth: date, anchor: date) -> date:
    return max(birth + timedelta(days=1), anchor - timedelta(days=rng.randrange(1, 5 * 365)))


def _dystonia_patient(rng: random.Random, emit: Emit, anchor: date, pid: str) -> None:
    plan = draw_plan(rng, pid, anchor)
    died = _death(rng, plan.birth, anchor) if rng.random() < DYSTONIA_DECEASED_SHARE else None
    for kind, resource in plan_resources(plan):
        if kind == "Patient" and died is not None:
            resource = {**resource, "deceasedDateTime": f"{died.isoformat()}T08:00:00+00:00"}
        emit(kind, orjson.dumps(resource) + b"\n")
    write_background(Person(rng, emit, pid, plan.birth, anchor), died or anchor)
