"""The programme's figures (issue 14), computed from the service's own rows.

Free of Flask: every function takes the session and the Hub's clock. Public API:

- ``report.report(session, clock, granularity, first, last) -> list[Figure]``: every
  indicator by month, quarter or year (``periods.Granularity``) with its cumulative rows,
  small counts suppressed; ``report.compute(rows, windows)`` the same without a database;
  ``report.exported(...)`` the same for a facilitator's download, audited.
- ``pages.page_figures(session, clock, granularity, first, last) -> PageFigures``: the
  one call the impact pages make (swap its body to read a stored snapshot), with lookups
  by indicator, period and breakdown.
- ``belonging_rows``: belonging before/after and both sides' satisfaction, cut by period
  from ``services/belonging.py``.
- ``rows.Figure``: one long-form row (``rows.COLUMNS``), labels in Italian.
- ``indicators.INDICATORS`` / ``BY_NAME``: each indicator's name, ESF+ code, label and
  definition (msgids: the pages translate them, ``rows.italian`` gives the exports').
- ``exports.to_csv(figures) -> str`` and ``exports.to_xlsx(figures) -> bytes``.
- ``participant_export.participant_rows(session, admin, clock, span)`` and ``to_csv``: the
  participant-level file for the managing authority (administrators only, audited).
- ``suppression``: primary and secondary suppression over any cube with margins;
  ``network.measure``: the help network of a period with networkx;
  ``periods``: months, quarters, years and cumulative spans in the Hub's calendar.
"""
