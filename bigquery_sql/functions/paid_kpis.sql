-- The paid media KPIs, each defined once: every paid view and query calls these functions, and
-- the API takes its KPI figures from those query results (shared/paid/kpis.py reads this file
-- only to name each KPI and to say why a NULL one is NULL: the SAFE_DIVIDE's numerator and
-- denominator, and the reported figure a COALESCE prefers).
-- Money goes in as exact integer micros; cost KPIs come out in MAJOR units of the currency as
-- FLOAT64 (a ratio to read, never money to add up). A KPI is NULL when its denominator is 0 or
-- NULL or its numerator is NULL (SAFE_DIVIDE): NULL means "cannot be computed", never 0.
-- Locally the DuckDB warehouse creates each one as a macro of the same body
-- (shared/adapters/duckdb_warehouse.py); terraform runs this file before any view.

-- Cost per 1,000 impressions.
CREATE OR REPLACE FUNCTION reachops.kpi_cpm(spend_micros INT64, impressions INT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(spend_micros, impressions) / 1000);

-- Cost per click (all clicks).
CREATE OR REPLACE FUNCTION reachops.kpi_cpc(spend_micros INT64, clicks INT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(spend_micros, clicks) / 1000000);

-- Cost per link click (Meta's inline_link_clicks).
CREATE OR REPLACE FUNCTION reachops.kpi_cost_per_link_click(spend_micros INT64, link_clicks INT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(spend_micros, link_clicks) / 1000000);

-- Click-through rate as a fraction (0.01 = 1 %).
CREATE OR REPLACE FUNCTION reachops.kpi_ctr(clicks INT64, impressions INT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(clicks, impressions));

-- Link click-through rate as a fraction.
CREATE OR REPLACE FUNCTION reachops.kpi_link_ctr(link_clicks INT64, impressions INT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(link_clicks, impressions));

-- Cost per conversion (acquisition); conversions may be fractional (Meta's modelled figures).
CREATE OR REPLACE FUNCTION reachops.kpi_cpa(spend_micros INT64, conversions FLOAT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(spend_micros, conversions) / 1000000);

-- Return on ad spend: conversion value / spend (one currency, so a plain ratio).
CREATE OR REPLACE FUNCTION reachops.kpi_roas(conversion_value_micros INT64, spend_micros INT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(conversion_value_micros, spend_micros));

-- Cost per engagement.
CREATE OR REPLACE FUNCTION reachops.kpi_cpe(spend_micros INT64, engagements INT64)
RETURNS FLOAT64 AS (SAFE_DIVIDE(spend_micros, engagements) / 1000000);

-- Impressions per person: the platform's own frequency, else impressions / reach. Only for one
-- row's own reach (a campaign-day, or a range report): reach does not add up.
CREATE OR REPLACE FUNCTION reachops.kpi_frequency(frequency FLOAT64, impressions INT64, reach INT64)
RETURNS FLOAT64 AS (COALESCE(frequency, SAFE_DIVIDE(impressions, reach)));
