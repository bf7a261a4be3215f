-- Idempotent: a redelivered event matches its own row and inserts nothing.
MERGE reachops.campaign_events AS target
USING (
  SELECT
    @event_id AS event_id,
    @event_type AS event_type,
    @org_id AS org_id,
    @campaign_id AS campaign_id,
    @actor_kind AS actor_kind,
    @actor_id AS actor_id,
    CAST(@actor_role AS STRING) AS actor_role,
    CAST(@occurred_at AS TIMESTAMP) AS occurred_at,
    @data_json AS data_json,
    CAST(@recorded_at AS TIMESTAMP) AS recorded_at
) AS source
ON target.org_id = source.org_id
  AND target.event_id = source.event_id
  AND target.occurred_at = source.occurred_at
WHEN NOT MATCHED THEN
  INSERT (
    event_id, event_type, org_id, campaign_id, actor_kind, actor_id, actor_role,
    occurred_at, data_json, recorded_at
  )
  VALUES (
    source.event_id, source.event_type, source.org_id, source.campaign_id, source.actor_kind,
    source.actor_id, source.actor_role, source.occurred_at, source.data_json, source.recorded_at
  );
