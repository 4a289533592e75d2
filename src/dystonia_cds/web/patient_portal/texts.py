"""What the patient's own pages (`/my`) say beyond the handout texts (web.handout_texts):
when to get help and how fast, what to expect and when, the check-in questions. Each text
paraphrases shared/clinical/reference.md; the source key is kept beside it for review (not
shown). Reading level: US grade 8 at most (Flesch-Kincaid, textstat; tested)."""

from __future__ import annotations

from dataclasses import dataclass

from dystonia_cds.domain.patient import DIARY_SIDE_EFFECTS, URGENT_SIDE_EFFECTS

# Patient wording of the decision-support notice, on every /my page.
NOTICE = "This information supports, and does not replace, your clinician's advice."


@dataclass(frozen=True, slots=True)
class Advice:
    heading: str
    text: str
    sources: tuple[str, ...]


URGENT = Advice(
    "Get help now",
    "After a toxin injection, trouble swallowing, trouble breathing or trouble speaking "
    "can be serious. It can start hours or weeks after the shot. Call the clinic or "
    "emergency services right away. Do not wait for your next visit.",
    ("§3.1 boxed warning", "R11"),
)
SOON = Advice(
    "Tell the clinic soon",
    "Call the clinic in a day or two if you feel new weakness after a shot. Also call about "
    "a drooping eyelid, double vision or a change in your voice.",
    ("§3.1 boxed warning", "R11"),
)
AT_VISIT = Advice(
    "Tell us at your next visit",
    "Tell us at your next visit when the shot wore off, how well it worked, and about a dry "
    "mouth or any other change. Your weekly check-ins help with this.",
    ("§3.1", "R14"),
)
EXPECT = (
    Advice(
        "Toxin injections",
        "The shot starts to work in a few days. It works best after one to two weeks and "
        "lasts about three months. Shots are given every 12 to 16 weeks, not sooner than 12 "
        "weeks.",
        ("§3.1", "R11b", "R14"),
    ),
    Advice(
        "Deep brain stimulation",
        "The help comes slowly. It is often clear only after six months or more, and it can "
        "keep getting better for months or years.",
        ("§4", "R10c", "R31"),
    ),
)
CHECK_IN_INTRO = (
    "This takes less than a minute. Answer for the past week. Your clinic sees your answers "
    "at your next visit. It does not see them right away, so call if you need help now."
)
SIDE_EFFECT_LABELS: dict[str, str] = {
    "trouble-swallowing": "Trouble swallowing",
    "trouble-breathing": "Trouble breathing",
    "neck-weakness": "Weak neck",
    "drooping-eyelid": "Drooping eyelid",
    "double-vision": "Double vision",
    "dry-mouth": "Dry mouth",
    "voice-change": "Change in my voice",
}


def side_effect_choices() -> list[tuple[str, str, bool]]:
    """(id, label, urgent) of every side effect the check-in lists, in the domain's order."""
    return [(i, SIDE_EFFECT_LABELS[i], i in URGENT_SIDE_EFFECTS) for i in DIARY_SIDE_EFFECTS]


def all_texts() -> list[str]:
    """Every text the /my pages show patients, for the reading-level test."""
    advice = [URGENT, SOON, AT_VISIT, *EXPECT]
    return [NOTICE, CHECK_IN_INTRO, *(a.text for a in advice)]
