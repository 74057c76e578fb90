"""Units that merge, split and are renamed (the two-level local government of 1 July 2025): the lineage of units
with its dates, the baselines a merged unit carries, and the commands and the province's page that make them.
Decision record: docs/decisions/0010-unit-reorganisation.md."""
