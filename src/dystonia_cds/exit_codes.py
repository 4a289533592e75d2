"""Named process exit codes, never reused (after cumulus-etl's errors.py)."""

OK = 0
UNEXPECTED = 1
BAD_INPUT = 2  # contract: bad input file, bad options, too many screening errors
SCHEMA_OUT_OF_DATE = 3
UPSTREAM_UNAVAILABLE = 4
KNOWLEDGE_INVALID = 5
