"""Entry-point bodies of the `dystonia-cds` commands, one module per command group.

`cli.py` only declares options and imports these lazily, so that `recommend` never pays
for the web, database or Dask stacks.
"""
