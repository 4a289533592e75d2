"""The patient handout: plain-language text about the options discussed, what to expect and
which side effects to report, as a printable page and as a PDF (fpdf2).

Every statement paraphrases a fact in shared/clinical/reference.md; the source key is kept
beside each text (not shown to patients, kept for review).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dystonia_cds import DISCLAIMER
from dystonia_cds.domain.recommendation import Recommendation
from dystonia_cds.web.handout_texts import (
    CARER_PHRASES,
    GENERAL,
    GENERAL_CARER,
    TEXTS,
    TITLE,
    TITLE_CARER,
    HandoutItem,
)

__all__ = [
    "CARER_PHRASES",
    "GENERAL",
    "TEXTS",
    "Clinic",
    "Handout",
    "HandoutItem",
    "build_handout",
    "for_carer",
    "for_view",
    "handout_items",
    "handout_pdf",
]

if TYPE_CHECKING:
    from fpdf import FPDF

    from dystonia_cds.context import AppContext
    from dystonia_cds.web.patient_data import PatientView


@dataclass(frozen=True, slots=True)
class Clinic:
    """Who to contact, from the settings (clinic_name, clinic_contact)."""

    name: str
    contact: str

    def line(self) -> str:
        return f"Questions? Contact {self.name}. {self.contact}".strip()


@dataclass(frozen=True, slots=True)
class Handout:
    """Everything one handout prints, for the page and the PDF alike."""

    title: str
    general: str
    items: tuple[HandoutItem, ...]
    clinic: Clinic
    for_carer: bool
    generated_on: str
    patient_name: str = ""


DEFAULT_CLINIC = Clinic("Movement disorders clinic", "")


def for_carer(item: HandoutItem) -> HandoutItem:
    """The item as a parent or carer reads it (the child is 'your child')."""
    return HandoutItem(
        item.option_id,
        item.heading,
        _to_carer(item.what),
        _to_carer(item.expect),
        _to_carer(item.report),
        item.sources,
    )


def _to_carer(text: str) -> str:
    for patient, carer in CARER_PHRASES:
        text = text.replace(patient, carer)
    return text


def build_handout(
    items: Sequence[HandoutItem],
    *,
    child: bool,
    clinic: Clinic,
    generated_on: str,
    patient_name: str = "",
) -> Handout:
    """The handout for a patient, or for the parent or carer of a child."""
    return Handout(
        title=TITLE_CARER if child else TITLE,
        general=GENERAL_CARER if child else GENERAL,
        items=tuple(for_carer(i) for i in items) if child else tuple(items),
        clinic=clinic,
        for_carer=child,
        generated_on=generated_on,
        patient_name=patient_name,
    )


def for_view(view: PatientView, items: Sequence[HandoutItem], ctx: AppContext) -> Handout:
    """The handout of a patient page: the clinic from the settings, addressed to the parent
    or carer when the patient is a child (under the knowledge base's child age)."""
    age = view.recommendation.age_years
    child = age is not None and age < ctx.knowledge.threshold("child_age_below")
    settings = ctx.settings
    return build_handout(
        items,
        child=child,
        clinic=Clinic(settings.clinic_name, settings.clinic_contact),
        generated_on=view.today.isoformat(),
        patient_name=view.patient.display_name or "",
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


def handout_pdf(
    handout: Handout | str, items: Sequence[HandoutItem] = (), generated_on: str = ""
) -> bytes:
    """The handout as a PDF (a `Handout`; or a title, items and date: the default clinic,
    addressed to the patient): bold headings and lead words, left-aligned text (no justified
    gaps), the clinic contact at the top and the end, the disclaimer once. Unicode with
    DejaVu if installed, Latin-1 core font otherwise."""
    from fpdf import FPDF

    if not isinstance(handout, Handout):
        plain = build_handout(items, child=False, clinic=DEFAULT_CLINIC, generated_on=generated_on)
        handout = replace(plain, title=handout)
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(handout.title)
    pdf.add_page()
    _write(_Writer(pdf), handout)
    return bytes(pdf.output())


def _write(writer: _Writer, handout: Handout) -> None:
    pdf = writer.pdf
    writer.line(handout.title, size=18, bold=True, height=9)
    for_whom = f"For {handout.patient_name}. " if handout.patient_name else ""
    writer.line(f"{for_whom}Prepared on {handout.generated_on}.", size=10, height=5)
    writer.line(handout.clinic.line(), size=10, height=5)
    pdf.ln(3)
    writer.line(handout.general)
    for item in handout.items:
        pdf.ln(2)
        pdf.start_section(writer.clean(item.heading))
        writer.line(item.heading, size=14, bold=True, height=7)
        for lead, text in (
            ("What it is:", item.what),
            ("What to expect:", item.expect),
            ("Side effects to report:", item.report),
        ):
            if text:
                writer.line(text, lead=lead)
    pdf.ln(4)
    writer.line(handout.clinic.line(), bold=True)
    writer.line(DISCLAIMER, size=9, height=5)


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

    def clean(self, text: str) -> str:
        return text if self.unicode else _latin1(text)

    def line(
        self,
        text: str,
        *,
        size: int = 12,
        bold: bool = False,
        height: float = 6.5,
        lead: str = "",
    ) -> None:
        """A left-aligned paragraph; `lead` (e.g. "What it is:") is printed in bold."""
        self.pdf.set_font(self.family, "B" if bold else "", size)
        body = self.clean(text).replace("**", "")
        if lead:
            body = f"**{self.clean(lead)}** {body}"
        self.pdf.multi_cell(
            0, height, body, align="L", markdown=bool(lead), new_x="LMARGIN", new_y="NEXT"
        )


def _latin1(text: str) -> str:
    replaced = text.replace("–", "-").replace("—", "-").replace("’", "'")
    return replaced.encode("latin-1", "replace").decode("latin-1")
