"""dystonia-cds: clinical decision support for dystonia treatment.

Decision support for clinicians, not a substitute for clinical judgment.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "dystonia-cds is decision support for clinicians, not a substitute for clinical judgment. "
    "Check every suggestion against the patient and the cited sources."
)
