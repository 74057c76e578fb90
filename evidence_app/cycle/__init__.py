"""The next cycle: official results, checklists proposed from the points lost, the rubric carried into a new year."""
