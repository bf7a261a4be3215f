-- Which person an anonymous visitor (track_events.visitor_id) turned out to be, one row per
-- (org_id, visitor_id): linked when a form, feedback or lead email matched (link_source says
-- which). The journey view joins it, so the visitor's earlier sessions join the journey too.
CREATE TABLE IF NOT EXISTS reachops.person_visitors (
  org_id STRING NOT NULL,
  visitor_id STRING NOT NULL,
  person_id STRING NOT NULL,
  linked_at TIMESTAMP NOT NULL,
  link_source STRING NOT NULL
)
CLUSTER BY org_id, person_id
OPTIONS (description = 'Visitor -> person links, one row per visitor; the first link wins.');
