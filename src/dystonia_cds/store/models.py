"""Imports every module that defines tables, so that `Base.metadata` is complete.

- `care_models`      patients, phenotype, trials, injections, assessments, titration, API tokens, audit
- `feedback_models`  CDS Hooks card topics, issued-card counts and feedback
- `account_models`   web accounts, web sessions, recommendation feedback
- `alert_models`     alert acknowledgements and overrides from the web app
- `smart_models`     SMART App Launch: launches, linked EHR users and patients, EHR tokens
- `throttle_models`  sign-in failures per username and client address (growing delays)
- `patient_account_models`  patient accounts and their one-time invitations
- `diary_models`     the patient diary: weekly check-ins between visits
"""

from __future__ import annotations

from dystonia_cds.store import (
    account_models,
    alert_models,
    care_models,
    diary_models,
    feedback_models,
    patient_account_models,
    smart_models,
    throttle_models,
)

__all__ = [
    "account_models",
    "alert_models",
    "care_models",
    "diary_models",
    "feedback_models",
    "patient_account_models",
    "smart_models",
    "throttle_models",
]
