"""The read side: metrics of the SOP (R-MET-1, R-MET-2, R-TIER-3) as set-based SQL over the store.

`measure(conn, tables, rules, scope, now)` -> `Report`; the definitions are in `queries` (SQL)
and `metrics` (the metric set, targets, trends), written out in docs/metrics.md. Reads only:
nothing here writes, and nothing loops over tickets in Python.
"""

from __future__ import annotations

from tierdesk.analytics.metrics import METRICS, MetricValue, Reason, Report, measure
from tierdesk.analytics.scope import Scope, ScopeError, Tables

__all__ = ["METRICS", "MetricValue", "Reason", "Report", "Scope", "ScopeError", "Tables", "measure"]
