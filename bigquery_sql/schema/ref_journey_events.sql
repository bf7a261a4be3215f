-- What each warehouse record becomes in a person's journey: one row per source (origin track,
-- feedback or form_response; a tracked event by its source and event_type), with its journey
-- event, the event's stage (stage_rank: its funnel position, from 1) and its channel: with
-- record_channel NULL the default, otherwise the journey channel a feedback or form response
-- naming record_channel counts as. Reference data: its rows are shared/people/journey_map.yaml, seeded by
-- the warehouse adapters and by terraform, replaced whole when that file changes.
CREATE TABLE IF NOT EXISTS reachops.ref_journey_events (
  origin STRING NOT NULL,
  track_source STRING,
  event_type STRING,
  record_channel STRING,
  event STRING NOT NULL,
  stage STRING NOT NULL,
  stage_rank INT64 NOT NULL,
  channel STRING NOT NULL
)
OPTIONS (description = 'Journey events (seeded from shared/people/journey_map.yaml): source record -> event, stage, default channel.');
