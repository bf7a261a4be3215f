-- The sufficient statistics (gbstats's dataframe columns) of every running experiment at once,
-- one row per (org_id, experiment_id, metric_id, variant_id): the experiments come in as
-- parallel arrays (query parameters cannot be tables; arrays hold no NULL, so '' means none),
-- @v_* one entry per variant and @m_* one per metric (shared/experiments/results.py).
-- A visitor counts from their first experiment_viewed of the experiment (between its start and
-- its end: stopped_at, else now) in the variant of that exposure; a visitor also exposed to
-- another variant stays in the first and is counted in multiple_exposures. Their metric is the
-- per-visitor quantity over the events from that first exposure until the end (0 when none):
-- a source is 'goal:<goal_id>' (goal_conversions) or 'event:<event_type>'; aggregate 'any' is
-- converted at least once (binomial), 'count' counts, 'value' sums values in major units
-- (micros / 1e6). A metric with a currency never mixes: an event in another currency counts
-- in none of its parts (events without a currency, e.g. page views, do). CUPED's covariate is
-- the same quantity in the 14 days before the first exposure, NULL for a metric no exposed
-- visitor had pre-period events of (and for ratios: gbstats would need a ratio covariate).
-- Variants nobody saw are rows with users 0, so the engine reports the empty arm.
-- Filter on occurred_at from @since_date (the earliest start less 14 days) to prune partitions.
WITH variants AS (
  SELECT
    org_id,
    @v_experiment_ids[OFFSET(i)] AS experiment_id,
    @v_site_ids[OFFSET(i)] AS site_id,
    @v_variant_ids[OFFSET(i)] AS variant_id,
    @v_variant_indexes[OFFSET(i)] AS variant_index,
    @v_started_ats[OFFSET(i)] AS started_at,
    @v_end_ats[OFFSET(i)] AS end_at
  FROM UNNEST(@v_org_ids) AS org_id WITH OFFSET AS i
),
metrics AS (
  SELECT
    org_id,
    @m_experiment_ids[OFFSET(i)] AS experiment_id,
    @m_metric_ids[OFFSET(i)] AS metric_id,
    @m_kinds[OFFSET(i)] AS kind,
    @m_main_sources[OFFSET(i)] AS main_source,
    @m_main_aggregates[OFFSET(i)] AS main_aggregate,
    @m_denominator_sources[OFFSET(i)] AS denominator_source,
    @m_denominator_aggregates[OFFSET(i)] AS denominator_aggregate,
    @m_currencies[OFFSET(i)] AS currency
  FROM UNNEST(@m_org_ids) AS org_id WITH OFFSET AS i
),
parts AS (
  SELECT org_id, experiment_id, metric_id, 'main' AS part, main_source AS source,
    main_aggregate AS aggregate, currency
  FROM metrics
  UNION ALL
  SELECT org_id, experiment_id, metric_id, 'denominator' AS part, denominator_source AS source,
    denominator_aggregate AS aggregate, currency
  FROM metrics
  WHERE denominator_source != ''
),
exposures AS (
  SELECT
    v.org_id,
    v.experiment_id,
    v.site_id,
    v.variant_id,
    v.end_at,
    e.visitor_id,
    e.occurred_at,
    MIN(v.variant_id) OVER (PARTITION BY v.org_id, v.experiment_id, e.visitor_id)
      != MAX(v.variant_id) OVER (PARTITION BY v.org_id, v.experiment_id, e.visitor_id)
      AS multiple
  FROM reachops.track_events_unique AS e
  JOIN variants AS v
    ON e.org_id = v.org_id
    AND e.site_id = v.site_id
    AND e.experiment_id = v.experiment_id
    AND e.variation_id = v.variant_id
  WHERE DATE(e.occurred_at) >= @since_date
    AND e.event_type = 'experiment_viewed'
    AND e.visitor_id IS NOT NULL
    AND e.occurred_at >= v.started_at
    AND e.occurred_at < v.end_at
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY v.org_id, v.experiment_id, e.visitor_id ORDER BY e.occurred_at, e.event_id
  ) = 1
),
facts AS (
  SELECT org_id, site_id, visitor_id, CONCAT('event:', event_type) AS source, occurred_at,
    value_micros, currency
  FROM reachops.track_events_unique
  WHERE DATE(occurred_at) >= @since_date
    AND event_type != 'experiment_viewed'
    AND visitor_id IS NOT NULL
  UNION ALL
  SELECT org_id, site_id, visitor_id, CONCAT('goal:', goal_id) AS source, occurred_at,
    value_micros, currency
  FROM reachops.goal_conversions
  WHERE DATE(occurred_at) >= @since_date
    AND visitor_id IS NOT NULL
),
part_values AS (
  SELECT
    x.org_id,
    x.experiment_id,
    x.variant_id,
    x.visitor_id,
    x.multiple,
    p.metric_id,
    p.part,
    CASE p.aggregate
      WHEN 'any' THEN IF(COUNTIF(f.occurred_at >= x.occurred_at) > 0, 1, 0)
      WHEN 'count' THEN COUNTIF(f.occurred_at >= x.occurred_at)
      ELSE COALESCE(SUM(IF(f.occurred_at >= x.occurred_at, f.value_micros, 0)), 0) / 1000000
    END AS post,
    CASE p.aggregate
      WHEN 'any' THEN IF(COUNTIF(f.occurred_at < x.occurred_at) > 0, 1, 0)
      WHEN 'count' THEN COUNTIF(f.occurred_at < x.occurred_at)
      ELSE COALESCE(SUM(IF(f.occurred_at < x.occurred_at, f.value_micros, 0)), 0) / 1000000
    END AS pre,
    COUNTIF(f.occurred_at < x.occurred_at) > 0 AS has_pre
  FROM exposures AS x
  JOIN parts AS p
    ON p.org_id = x.org_id AND p.experiment_id = x.experiment_id
  LEFT JOIN facts AS f
    ON f.org_id = x.org_id
    AND f.site_id = x.site_id
    AND f.visitor_id = x.visitor_id
    AND f.source = p.source
    AND f.occurred_at >= TIMESTAMP_SUB(x.occurred_at, INTERVAL 14 DAY)
    AND f.occurred_at < x.end_at
    AND (p.currency = '' OR COALESCE(f.currency, p.currency) = p.currency)
  GROUP BY
    x.org_id, x.experiment_id, x.variant_id, x.visitor_id, x.multiple, p.metric_id, p.part,
    p.aggregate
),
visitor_values AS (
  SELECT
    org_id,
    experiment_id,
    variant_id,
    visitor_id,
    metric_id,
    LOGICAL_OR(multiple) AS multiple,
    MAX(IF(part = 'main', post, NULL)) AS main,
    MAX(IF(part = 'denominator', post, NULL)) AS denominator,
    MAX(IF(part = 'main', pre, NULL)) AS covariate,
    LOGICAL_OR(part = 'main' AND has_pre) AS has_pre
  FROM part_values
  GROUP BY org_id, experiment_id, variant_id, visitor_id, metric_id
),
pre_seen AS (
  SELECT org_id, experiment_id, metric_id, LOGICAL_OR(has_pre) AS has_pre
  FROM visitor_values
  GROUP BY org_id, experiment_id, metric_id
)
SELECT
  m.org_id,
  m.experiment_id,
  m.metric_id,
  m.kind AS metric_kind,
  v.variant_id,
  v.variant_index,
  COUNT(u.visitor_id) AS users,
  COALESCE(COUNTIF(u.multiple), 0) AS multiple_exposures,
  COALESCE(SUM(u.main), 0) AS main_sum,
  COALESCE(SUM(u.main * u.main), 0) AS main_sum_squares,
  IF(m.kind = 'ratio', COALESCE(SUM(u.denominator), 0), NULL) AS denominator_sum,
  IF(m.kind = 'ratio', COALESCE(SUM(u.denominator * u.denominator), 0), NULL)
    AS denominator_sum_squares,
  IF(m.kind = 'ratio', COALESCE(SUM(u.main * u.denominator), 0), NULL)
    AS main_denominator_sum_product,
  IF(m.kind != 'ratio' AND s.has_pre, COALESCE(SUM(u.covariate), 0), NULL) AS covariate_sum,
  IF(m.kind != 'ratio' AND s.has_pre, COALESCE(SUM(u.covariate * u.covariate), 0), NULL)
    AS covariate_sum_squares,
  IF(m.kind != 'ratio' AND s.has_pre, COALESCE(SUM(u.main * u.covariate), 0), NULL)
    AS main_covariate_sum_product
FROM metrics AS m
JOIN variants AS v
  ON v.org_id = m.org_id AND v.experiment_id = m.experiment_id
LEFT JOIN pre_seen AS s
  ON s.org_id = m.org_id AND s.experiment_id = m.experiment_id AND s.metric_id = m.metric_id
LEFT JOIN visitor_values AS u
  ON u.org_id = m.org_id
  AND u.experiment_id = m.experiment_id
  AND u.metric_id = m.metric_id
  AND u.variant_id = v.variant_id
GROUP BY m.org_id, m.experiment_id, m.metric_id, m.kind, v.variant_id, v.variant_index, s.has_pre
ORDER BY m.org_id, m.experiment_id, m.metric_id, v.variant_index;
