"""The patient handout: plain-language text about the options discussed, what to expect and
which side effects to report, as a printable page and as a PDF (fpdf2).

Every statement paraphrases a fact in shared/clinical/reference.md; the source key is kept
beside each text (not shown to patients, kept for review).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dystonia_cds import DISCLAIMER
from dystonia_cds.domain.recommendation import Recommendation

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True, slots=True)
class HandoutItem:
    option_id: str
    heading: str
    what: str
    expect: str
    report: str
    sources: tuple[str, ...]


TEXTS: dict[str, HandoutItem] = {
    "botulinum-toxin": HandoutItem(
        "botulinum-toxin",
        "Botulinum toxin injections",
        "Small injections into the muscles that pull too hard, to relax them.",
        "The effect usually starts within a few days, is strongest after 1 to 2 weeks and "
        "lasts about 3 months. Injections are repeated every 12 to 16 weeks, not sooner than "
        "12 weeks.",
        "Tell us at once if you have trouble swallowing, breathing or speaking, new muscle "
        "weakness, a drooping eyelid or double vision. These can start hours to weeks after "
        "an injection.",
        ("R11", "R11b", "R14", "R15"),
    ),
    "deep-brain-stimulation": HandoutItem(
        "deep-brain-stimulation",
        "Deep brain stimulation (DBS)",
        "An operation that places thin wires in the brain, connected to a small device under "
        "the skin, like a pacemaker.",
        "The benefit comes slowly. It is often clear only after 6 months or more, and it can "
        "keep improving for months to years.",
        "Tell us about fever or redness at the wound, low mood or thoughts of self-harm, "
        "problems walking, or if the device stops working.",
        ("R10c", "R31", "R10h"),
    ),
    "levodopa-trial": HandoutItem(
        "levodopa-trial",
        "A trial of levodopa",
        "A tablet medicine. Some types of dystonia get much better with it, often at low doses.",
        "The dose is raised slowly in small steps. Benefit may start within days, but the full "
        "effect can take longer.",
        "Tell us about sickness, dizziness when standing up, unusual movements, strong "
        "sleepiness, seeing things that are not there, or strong urges (for example gambling "
        "or shopping).",
        ("R30", "R33"),
    ),
    "trihexyphenidyl": HandoutItem(
        "trihexyphenidyl",
        "Trihexyphenidyl tablets",
        "A tablet medicine that calms the muscle spasms in some people.",
        "It is started at a low dose and raised slowly over weeks. Younger people often "
        "tolerate it better. Do not stop it suddenly.",
        "Tell us about dry mouth, blurred vision, constipation, trouble passing urine, "
        "confusion, memory problems or seeing things that are not there.",
        ("R2", "R36"),
    ),
    "clonazepam": HandoutItem(
        "clonazepam",
        "Clonazepam tablets",
        "A calming medicine, usually added to another treatment.",
        "Do not stop it suddenly; the dose is lowered step by step. Do not take it with "
        "opioid pain medicines unless your doctor agrees.",
        "Tell us about strong sleepiness, unsteadiness or falls, low mood, or slow breathing.",
        ("R2", "R38"),
    ),
    "baclofen": HandoutItem(
        "baclofen",
        "Baclofen tablets",
        "A muscle-relaxing medicine. It helps some people, often only a little.",
        "The dose is raised every few days. Never stop baclofen suddenly: this can be dangerous.",
        "Tell us about sleepiness, dizziness, weakness or confusion.",
        ("R2", "R40"),
    ),
    "intrathecal-baclofen": HandoutItem(
        "intrathecal-baclofen",
        "Baclofen pump (intrathecal baclofen)",
        "A small pump under the skin gives baclofen into the fluid around the spinal cord.",
        "Never miss a refill appointment. A sudden stop of the medicine can be dangerous.",
        "Get help at once for high fever, confusion, or muscles suddenly becoming stiff again.",
        ("R41a",),
    ),
    "tetrabenazine": HandoutItem(
        "tetrabenazine",
        "Tetrabenazine tablets",
        "A medicine that lowers dopamine in the brain and can reduce some abnormal movements.",
        "The dose is raised very slowly, about once a week.",
        "Tell us at once about low mood or thoughts of self-harm. Also tell us about "
        "stiffness, slowness, restlessness or strong sleepiness.",
        ("R42",),
    ),
    "diphenhydramine": HandoutItem(
        "diphenhydramine",
        "Diphenhydramine",
        "A medicine given to stop a sudden muscle spasm reaction caused by another medicine.",
        "It usually works quickly. Tablets may be given for a few days to stop the reaction "
        "coming back.",
        "Tell us about strong sleepiness, dry mouth, confusion or trouble passing urine.",
        ("R21", "R23", "R24"),
    ),
    "benztropine": HandoutItem(
        "benztropine",
        "Benztropine",
        "A medicine given to stop a sudden muscle spasm reaction caused by another medicine.",
        "Relief usually comes within minutes. Tablets may be given for a few days.",
        "Tell us about confusion, seeing things, trouble passing urine, or feeling very hot "
        "without sweating.",
        ("R21", "R25"),
    ),
    "stop-causative-drug": HandoutItem(
        "stop-causative-drug",
        "Stopping the medicine that caused the reaction",
        "The medicine that most likely caused the sudden spasms should be stopped or avoided.",
        "Tell every doctor and pharmacist that you had this reaction.",
        "Get help at once if the spasms come back, or if you have trouble breathing or swallowing.",
        ("R21", "R23"),
    ),
    "rehabilitation-therapy": HandoutItem(
        "rehabilitation-therapy",
        "Physiotherapy and occupational therapy",
        "Exercises, stretching and practical help with daily tasks, alongside other treatment.",
        "It works best when practised regularly. It can reduce pain.",
        "Tell your therapist about pain that gets worse with the exercises.",
        ("R47", "R3"),
    ),
}
GENERAL = (
    "Dystonia makes muscles tighten on their own, which pulls parts of the body into "
    "twisting movements or positions. Treatment aims to ease it; the plan is made together "
    "with you and may change over time."
)


def discussable(rec: Recommendation) -> list[tuple[str, str]]:
    """(id, title) of the positive options, best first: what a handout may explain."""
    return [(o.id, o.title) for o in rec.options if o.strength.is_positive]


def handout_items(
    rec: Recommendation, chosen: Sequence[str] = (), limit: int = 5
) -> list[HandoutItem]:
    """Plain-language text for the options discussed: the clinician's choice among the
    positive options, or the best `limit` of them when nothing was chosen."""
    positive = discussable(rec)
    if chosen:
        picked = [(oid, title) for oid, title in positive if oid in set(chosen)]
    else:
        picked = positive[:limit]
    return [TEXTS.get(oid) or HandoutItem(oid, title, title, "", "", ()) for oid, title in picked]


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def handout_pdf(title: str, items: list[HandoutItem], generated_on: str) -> bytes:
    """The handout as a PDF; Unicode with DejaVu if installed, Latin-1 core font otherwise."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    writer = _Writer(pdf)
    writer.line(title, size=18, bold=True, height=9)
    writer.line(f"Prepared on {generated_on}.", size=10, height=5)
    pdf.ln(3)
    writer.line(GENERAL)
    for item in items:
        pdf.ln(2)
        writer.line(item.heading, size=14, bold=True, height=7)
        for lead, text in (
            ("What it is: ", item.what),
            ("What to expect: ", item.expect),
            ("Side effects to report: ", item.report),
        ):
            if text:
                writer.line(lead + text)
    pdf.ln(4)
    writer.line(DISCLAIMER, size=9, height=5)
    return bytes(pdf.output())


class _Writer:
    """Writes wrapped paragraphs; DejaVu (Unicode) when installed, else Latin-1 Helvetica."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
        self.family = "DejaVu" if self.unicode else "Helvetica"

    def line(self, text: str, *, size: int = 12, bold: bool = False, height: float = 6.5) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        clean = text if self.unicode else _latin1(text)
        self.pdf.multi_cell(0, height, clean, new_x="LMARGIN", new_y="NEXT")


def _latin1(text: str) -> str:
    replaced = text.replace("–", "-").replace("—", "-").replace("’", "'")
    return replaced.encode("latin-1", "replace").decode("latin-1")
