"""The SQLite warehouse and the insights: computed by SQLite from the stored tables
(Warehouse.insights), or in memory from files (compute_insights, insights).

    from pinetl import warehouse
    with warehouse.Warehouse("pinterest.db") as wh:
        wh.load("landing/pin/", "pin")
        frames = wh.insights()"""
from ._warehouse import (Result, Warehouse, compute_insights, insight_names, insight_sql,
                         insight_years, insights)

__all__ = ["Warehouse", "Result", "insights", "compute_insights", "insight_names", "insight_sql",
           "insight_years"]
