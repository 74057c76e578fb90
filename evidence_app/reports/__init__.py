"""The completeness report: what is secured, expected and at risk, in index points (rules in checklists.scoring)."""
