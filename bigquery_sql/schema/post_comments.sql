-- One row per comment of a campaign post, as the latest comments run read it (issue 12). Written
-- by a MERGE on (org_id, platform, comment_id): a comment read again by a later pass or a
-- redelivered webhook replaces its row (likes move), never adds one. Not partitioned: no date
-- is in the key, and a post's comments are read again for as long as its refresh window is
-- open. campaign_id is the campaign the post is counted for (the one whose window closes last
-- when a post is in two). likes NULL means the platform did not report it. text is the
-- commenter's public text; author_username the commenter's public handle, normalised as a
-- person's social handles are (shared/people/handles.py), which the journey view joins it to.
CREATE TABLE IF NOT EXISTS reachops.post_comments (
  org_id STRING NOT NULL,
  campaign_id STRING,
  creator_id STRING NOT NULL,
  platform STRING NOT NULL,
  post_key STRING NOT NULL,
  comment_id STRING NOT NULL,
  text STRING,
  author_username STRING,
  likes INT64,
  posted_at TIMESTAMP,
  scraped_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, creator_id, campaign_id
OPTIONS (description = 'Comments of campaign posts, scraped through Apify; scored in sentiment_scores.');
