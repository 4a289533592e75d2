"""`dystonia-cds` entry point.

A plain `dystonia-cds recommend FILE [--at DATE] [--format text|json]` runs through a typer-free
fast path (same output, errors and exit codes, tested side by side); everything else, `--help`
included, goes to the Typer app in `cli_app.py`.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    from dystonia_cds.commands.recommend import fast_main

    code = fast_main(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    from dystonia_cds.cli_app import app

    app()


def __getattr__(name: str) -> Any:
    """`dystonia_cds.cli.app` stays importable (tests, CliRunner) without loading Typer eagerly."""
    if name == "app":
        from dystonia_cds.cli_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # python -m dystonia_cds.cli
    main()
