"""The rubric as data: catalog files (YAML), their loader and validation, and the scoring rules.

No Flask and no database here: `evidence_app` imports this package, never the reverse.
"""

from pathlib import Path

from .loader import CatalogError, Problem, load_catalog, parse_catalog
from .model import Catalog

CATALOG_DIR = Path(__file__).parent / "catalogs"

__all__ = ["CATALOG_DIR", "Catalog", "CatalogError", "Problem", "load_catalog", "parse_catalog"]
