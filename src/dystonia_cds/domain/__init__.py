"""Pure domain types: the patient record, the recommendation, the error tree."""
