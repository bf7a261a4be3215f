-- The paid KPIs (bigquery_sql/functions/paid_kpis.sql) of one set of totals given as
-- parameters: the KPI table's account row (shared/paid/range_state.py), whose figures are its
-- campaigns' totals added up. A NULL parameter (a figure unknown for some campaign) gives NULL
-- KPIs. Reach and frequency are the account's range row's, never a sum of campaigns' reach.
SELECT
  reachops.kpi_cpm(CAST(@spend_micros AS INT64), CAST(@impressions AS INT64)) AS cpm,
  reachops.kpi_cpc(CAST(@spend_micros AS INT64), CAST(@clicks AS INT64)) AS cpc,
  reachops.kpi_cost_per_link_click(
    CAST(@spend_micros AS INT64), CAST(@link_clicks AS INT64)
  ) AS cost_per_link_click,
  reachops.kpi_ctr(CAST(@clicks AS INT64), CAST(@impressions AS INT64)) AS ctr,
  reachops.kpi_link_ctr(CAST(@link_clicks AS INT64), CAST(@impressions AS INT64)) AS link_ctr,
  reachops.kpi_cpa(CAST(@spend_micros AS INT64), CAST(@conversions AS FLOAT64)) AS cpa,
  reachops.kpi_roas(
    CAST(@conversion_value_micros AS INT64), CAST(@spend_micros AS INT64)
  ) AS roas,
  reachops.kpi_cpe(CAST(@spend_micros AS INT64), CAST(@engagements AS INT64)) AS cpe,
  reachops.kpi_frequency(
    CAST(@frequency AS FLOAT64), CAST(@impressions AS INT64), CAST(@reach AS INT64)
  ) AS frequency;
