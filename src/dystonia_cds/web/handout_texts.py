"""What the patient handout says: plain-language text per option (each paraphrasing facts in
shared/clinical/reference.md, source keys kept beside it for review, not shown to patients),
the general paragraph and titles, and the phrases that address a child's parent or carer.
Reading level: US grade 8 at most (Flesch-Kincaid, textstat; tested)."""

from __future__ import annotations

from dataclasses import dataclass


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
        "A medicine that stops a sudden spasm caused by another medicine.",
        "It usually works quickly. Tablets may be given for a few days to stop the reaction "
        "coming back.",
        "Tell us if it makes you very sleepy or confused. Also tell us about a dry mouth or "
        "trouble passing urine.",
        ("R21", "R23", "R24"),
    ),
    "benztropine": HandoutItem(
        "benztropine",
        "Benztropine",
        "A medicine that stops a sudden spasm caused by another medicine.",
        "Relief usually comes within minutes. Tablets may be given for a few days.",
        "Tell us about confusion or seeing things that are not there. Also tell us about "
        "trouble passing urine, or feeling very hot without sweating.",
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


GENERAL_CARER = (
    "Dystonia makes muscles tighten on their own, which pulls parts of the body into "
    "twisting movements or positions. Treatment aims to ease it; the plan is made together "
    "with you and your child and may change over time."
)
TITLE = "Your dystonia treatment: information for you"
TITLE_CARER = "Your child's dystonia treatment: information for parents and carers"
# A child's handout speaks to the parent or carer: each phrase addressed to the patient,
# as it reads to the carer (every "you" that means the patient is covered; tested).
CARER_PHRASES = (
    ("if you have", "if your child has"),
    ("that you had", "that your child had"),
    ("makes you", "makes your child"),
    ("Do not take it with", "Your child should not take it with"),
    ("unless your doctor agrees", "unless the doctor agrees"),
    ("Tell your therapist", "Tell the therapist"),
    ("Younger people often tolerate it better.", "Children often tolerate it better."),
)
