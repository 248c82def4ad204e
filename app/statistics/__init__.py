"""The annual statistics: the statistical forms, one data file per edition (forms/, read
by app.statistics.forms), and the checks a report's figures must pass
(app.statistics.checks). docs/statistics.md says how an edition is written.
"""
