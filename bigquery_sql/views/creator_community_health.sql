-- Community health of each creator's campaign posts, from the sentiment of their comments (issue
-- 12): one row per (org_id, creator_id, campaign_id, day), day being the UTC date the comment
-- was posted (the date it was scraped when the platform gave none).
--
-- * comments: comments stored; scored: those with a 'scored' sentiment row (a 'failed' one, or
--   none yet, is not scored and counts in no share).
-- * positive_comments / negative_comments: scored comments labelled positive / negative
--   (neutral and mixed count in neither); positive_share / negative_share: those over scored,
--   NULL when nothing is scored.
-- * toxicity_scored: scored comments whose engine reported a toxicity; mean_toxicity: their mean
--   (0..1), NULL when no engine reported one (VADER never does).
-- * The creator's trend, the same on each of the creator's rows: positive and negative share
--   over the comments of the last 30 days (today included) and of the 30 days before, across
--   campaigns; *_change = last 30 minus previous 30, NULL when either share is NULL.
-- Joined to reachops.sentiment_scores on source_type 'comment' and source_id
-- '<platform>:<comment_id>' (shared/scraping/comments.py comment_source_id).
CREATE OR REPLACE VIEW reachops.creator_community_health AS
WITH scored_comments AS (
  SELECT
    c.org_id,
    c.creator_id,
    c.campaign_id,
    DATE(COALESCE(c.posted_at, c.scraped_at)) AS day,
    COALESCE(s.status = 'scored', FALSE) AS is_scored,
    IF(s.status = 'scored', s.label, NULL) AS label,
    IF(s.status = 'scored', s.toxicity, NULL) AS toxicity
  FROM reachops.post_comments AS c
  LEFT JOIN reachops.sentiment_scores AS s
    ON s.org_id = c.org_id
    AND s.source_type = 'comment'
    AND s.source_id = CONCAT(c.platform, ':', c.comment_id)
),

daily AS (
  SELECT
    org_id,
    creator_id,
    campaign_id,
    day,
    COUNT(*) AS comments,
    SUM(IF(is_scored, 1, 0)) AS scored,
    SUM(IF(label = 'positive', 1, 0)) AS positive_comments,
    SUM(IF(label = 'negative', 1, 0)) AS negative_comments,
    COUNT(toxicity) AS toxicity_scored,
    AVG(toxicity) AS mean_toxicity
  FROM scored_comments
  GROUP BY org_id, creator_id, campaign_id, day
),

windows AS (
  SELECT
    org_id,
    creator_id,
    SUM(IF(day > DATE_SUB(CURRENT_DATE(), INTERVAL 30 DAY), scored, 0)) AS scored_30d,
    SUM(IF(day > DATE_SUB(CURRENT_DATE(), INTERVAL 30 DAY), positive_comments, 0)) AS positive_30d,
    SUM(IF(day > DATE_SUB(CURRENT_DATE(), INTERVAL 30 DAY), negative_comments, 0)) AS negative_30d,
    SUM(
      IF(
        day > DATE_SUB(CURRENT_DATE(), INTERVAL 60 DAY)
        AND day <= DATE_SUB(CURRENT_DATE(), INTERVAL 30 DAY),
        scored,
        0
      )
    ) AS scored_prev,
    SUM(
      IF(
        day > DATE_SUB(CURRENT_DATE(), INTERVAL 60 DAY)
        AND day <= DATE_SUB(CURRENT_DATE(), INTERVAL 30 DAY),
        positive_comments,
        0
      )
    ) AS positive_prev,
    SUM(
      IF(
        day > DATE_SUB(CURRENT_DATE(), INTERVAL 60 DAY)
        AND day <= DATE_SUB(CURRENT_DATE(), INTERVAL 30 DAY),
        negative_comments,
        0
      )
    ) AS negative_prev
  FROM daily
  GROUP BY org_id, creator_id
),

trend AS (
  SELECT
    org_id,
    creator_id,
    SAFE_DIVIDE(positive_30d, NULLIF(scored_30d, 0)) AS creator_positive_share_30d,
    SAFE_DIVIDE(positive_prev, NULLIF(scored_prev, 0)) AS creator_positive_share_prev_30d,
    SAFE_DIVIDE(negative_30d, NULLIF(scored_30d, 0)) AS creator_negative_share_30d,
    SAFE_DIVIDE(negative_prev, NULLIF(scored_prev, 0)) AS creator_negative_share_prev_30d
  FROM windows
)

SELECT
  d.org_id,
  d.creator_id,
  d.campaign_id,
  d.day,
  d.comments,
  d.scored,
  d.positive_comments,
  d.negative_comments,
  SAFE_DIVIDE(d.positive_comments, NULLIF(d.scored, 0)) AS positive_share,
  SAFE_DIVIDE(d.negative_comments, NULLIF(d.scored, 0)) AS negative_share,
  d.toxicity_scored,
  d.mean_toxicity,
  t.creator_positive_share_30d,
  t.creator_positive_share_prev_30d,
  t.creator_positive_share_30d - t.creator_positive_share_prev_30d AS creator_positive_share_change,
  t.creator_negative_share_30d,
  t.creator_negative_share_prev_30d,
  t.creator_negative_share_30d - t.creator_negative_share_prev_30d AS creator_negative_share_change
FROM daily AS d
INNER JOIN trend AS t
  ON t.org_id = d.org_id AND t.creator_id = d.creator_id;
