"""Logging for `serve`: uvicorn's loggers plus ours, optionally as one JSON object a line.

The access log never carries a query string (patient names reach it through `search=` and
`q=`): `PathOnly` cuts it from every access record. SQL parameters never reach a log either:
the engine is created with `hide_parameters=True` (store.database), so an error message names
the statement, not the values.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson


class PathOnly(logging.Filter):
    """Removes the query string from uvicorn access records (args: client, method, path,
    http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception type)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def log_config(*, json_logs: bool) -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn and dystonia_cds."""
    plain = {"format": "%(levelname)s:     %(name)s: %(message)s"}
    access = {"format": "%(levelname)s:     %(message)s"}
    json_formatter = {"()": "dystonia_cds.ops.logs.JsonFormatter"}
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"path_only": {"()": "dystonia_cds.ops.logs.PathOnly"}},
        "formatters": {
            "default": json_formatter if json_logs else plain,
            "access": json_formatter if json_logs else access,
        },
        "handlers": {
            "default": {**handler, "formatter": "default"},
            "access": {
                **handler,
                "formatter": "access",
                "stream": "ext://sys.stdout",
                "filters": ["path_only"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "dystonia_cds": {"handlers": ["default"], "level": "INFO", "propagate": False},
        },
    }
