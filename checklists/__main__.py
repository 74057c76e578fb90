"""`python -m checklists validate FILE…`: validate catalog files without the application."""

from __future__ import annotations

import sys

from . import CatalogError, load_catalog


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "validate":
        print("usage: python -m checklists validate FILE…", file=sys.stderr)
        return 2
    status = 0
    for path in argv[1:]:
        try:
            catalog = load_catalog(path)
        except CatalogError as exc:
            print(exc.report(), file=sys.stderr)
            status = 1
        else:
            n_criteria = sum(1 for _ in catalog.criteria())
            n_items = sum(1 for _ in catalog.items())
            print(
                f"{path}: ok — {catalog.index.code} {catalog.index.year}: {len(catalog.areas)} areas, {n_criteria} criteria, {n_items} items"
            )
    return status


sys.exit(main(sys.argv[1:]))
