"""Imports every module that defines tables, so that `Base.metadata` is complete.

Each adapter owns the module of its tables:
- `store/care_models.py`      patients, diagnoses, trials, injections, assessments, titration,
                              API tokens, audit log (care tracking)
- `store/feedback_models.py`  CDS Hooks card feedback
- `store/account_models.py`   web accounts, web sessions, recommendation feedback
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

for _name in ("care_models", "feedback_models", "account_models"):
    try:
        importlib.import_module(f"dystonia_cds.store.{_name}")
    except ModuleNotFoundError as exc:  # a module not written yet
        if exc.name != f"dystonia_cds.store.{_name}":
            raise
