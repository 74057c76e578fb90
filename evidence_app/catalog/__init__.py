"""The rubric stored per unit: importing catalogs, browsing index → area → criterion → checklist."""
