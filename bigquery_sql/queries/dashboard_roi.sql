-- The ROI dashboard's figures over @from_day..@to_day (DATEs, included), grouped by @by:
-- 'total' (one group), 'campaign' (ReachOps campaign), 'channel', 'creator' or 'day'; one row
-- per group and currency. Costs: views/roi_spend_daily.sql (creator fees and Meta spend).
-- Results: the credit of attribution model @model to conversions of the types in @event_types
-- (views attributed_conversions_daily).
-- When @filter_campaigns, only rows of the ReachOps campaigns in @campaign_ids count.
-- * group_key: the group's id ('total'; a campaign, channel or creator id; an ISO day); NULL
--   for results credited to no campaign (or creator).
-- * currency: the currency of the row's money; NULL for conversions that carry no value.
-- * spend_micros, engagements, conversion_value_micros: that currency's (NULL when none).
-- * conversions: the group's credited conversions in every currency (a count, not money);
--   NULL when nothing was tracked in the range under @model at all, 0 when this group got none.
-- * spend_currencies, money_currencies: how many currencies the group's spend, and its spend
--   and conversion value together, are in. No exchange rates exist here, so cpa and cpe need
--   one spend currency and roas one money currency; otherwise they are NULL.
-- * cpa, roas, cpe: the KPI functions of bigquery_sql/functions/paid_kpis.sql (major units of
--   the currency per conversion / engagement; roas a ratio).
WITH spend AS (
  SELECT
    CASE @by
      WHEN 'campaign' THEN campaign_id
      WHEN 'channel' THEN channel
      WHEN 'creator' THEN creator_id
      WHEN 'day' THEN CAST(day AS STRING)
      ELSE 'total'
    END AS group_key,
    currency,
    SUM(spend_micros) AS spend_micros,
    SUM(engagements) AS engagements
  FROM reachops.roi_spend_daily
  WHERE org_id = @org_id
    AND day BETWEEN @from_day AND @to_day
    AND (NOT @filter_campaigns OR campaign_id IN UNNEST(@campaign_ids))
  GROUP BY group_key, currency
),

credit_rows AS (
  SELECT c.*, m.creator_id
  FROM reachops.attributed_conversions_daily AS c
  LEFT JOIN reachops.allocation_metrics AS m
    ON m.org_id = c.org_id
    AND m.campaign_id = c.campaign_id
    AND m.allocation_id = c.allocation_id
  WHERE c.org_id = @org_id
    AND c.model = @model
    AND c.event_type IN UNNEST(@event_types)
    AND c.day BETWEEN @from_day AND @to_day
),

credit AS (
  SELECT
    CASE @by
      WHEN 'campaign' THEN campaign_id
      WHEN 'channel' THEN channel
      WHEN 'creator' THEN creator_id
      WHEN 'day' THEN CAST(day AS STRING)
      ELSE 'total'
    END AS group_key,
    currency,
    SUM(conversions) AS conversions,
    CAST(ROUND(SUM(value_micros)) AS INT64) AS conversion_value_micros
  FROM credit_rows
  WHERE NOT @filter_campaigns OR campaign_id IN UNNEST(@campaign_ids)
  GROUP BY group_key, currency
),

tracked AS (
  SELECT COUNT(*) > 0 AS anything FROM credit_rows
),

money AS (
  SELECT
    COALESCE(s.group_key, c.group_key) AS group_key,
    COALESCE(s.currency, c.currency) AS currency,
    s.spend_micros,
    s.engagements,
    IF(c.currency IS NULL, NULL, c.conversion_value_micros) AS conversion_value_micros
  FROM spend AS s
  FULL OUTER JOIN credit AS c
    ON c.group_key IS NOT DISTINCT FROM s.group_key
    AND c.currency = s.currency
),

per_group AS (
  SELECT
    g.group_key,
    COUNT(DISTINCT IF(g.spend_micros IS NOT NULL, g.currency, NULL)) AS spend_currencies,
    COUNT(DISTINCT g.currency) AS money_currencies,
    ANY_VALUE(t.conversions) AS conversions
  FROM money AS g
  LEFT JOIN (
    SELECT group_key, SUM(conversions) AS conversions FROM credit GROUP BY group_key
  ) AS t
    ON t.group_key IS NOT DISTINCT FROM g.group_key
  GROUP BY g.group_key
),

figures AS (
  SELECT
    m.group_key,
    m.currency,
    m.spend_micros,
    m.engagements,
    m.conversion_value_micros,
    IF(tr.anything, COALESCE(p.conversions, 0), NULL) AS conversions,
    p.spend_currencies,
    p.money_currencies
  FROM money AS m
  JOIN per_group AS p
    ON p.group_key IS NOT DISTINCT FROM m.group_key
  CROSS JOIN tracked AS tr
)

SELECT
  group_key,
  currency,
  spend_micros,
  engagements,
  conversions,
  conversion_value_micros,
  spend_currencies,
  money_currencies,
  IF(spend_currencies = 1, reachops.kpi_cpa(spend_micros, conversions), NULL) AS cpa,
  IF(
    money_currencies = 1, reachops.kpi_roas(conversion_value_micros, spend_micros), NULL
  ) AS roas,
  IF(spend_currencies = 1, reachops.kpi_cpe(spend_micros, engagements), NULL) AS cpe
FROM figures
ORDER BY group_key, currency;
