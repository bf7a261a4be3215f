-- Engagement per person and event kind at @as_of: each of the person's journey events from
-- @since_date on (reachops.journey_events, persons only) scores its kind's weight (@w_<event>,
-- shared/scores/engagement.py's defaults or the organization's) times 0.5 ^ (age in days /
-- @half_life_days). One row per (person_id, event) with the count and the decayed points; the
-- person's score is the sum of their rows' points.
SELECT
  person_id,
  event,
  COUNT(*) AS events,
  SUM(
    CASE event
      WHEN 'purchase' THEN @w_purchase
      WHEN 'feedback' THEN @w_feedback
      WHEN 'social_engage' THEN @w_social_engage
      WHEN 'form_submit' THEN @w_form_submit
      WHEN 'page_view' THEN @w_page_view
      WHEN 'lead_capture' THEN @w_lead_capture
      ELSE 0
    END
    * POW(0.5, TIMESTAMP_DIFF(@as_of, occurred_at, SECOND) / 86400.0 / @half_life_days)
  ) AS points,
  MAX(occurred_at) AS last_at
FROM reachops.journey_events
WHERE DATE(occurred_at) BETWEEN @since_date AND DATE(@as_of)
  AND org_id = @org_id
  AND person_id IS NOT NULL
  AND occurred_at <= @as_of
GROUP BY person_id, event
ORDER BY person_id, event
