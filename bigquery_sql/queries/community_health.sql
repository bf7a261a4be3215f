-- Comment sentiment per creator (shared/metrics/community.py) from
-- reachops.creator_community_health: one creator across campaigns (@creator_id, @campaign_id
-- '') or every creator of one campaign (@creator_id '', @campaign_id). Sums of counts, so the
-- shares are recomputed over them; toxicity_sum / toxicity_scored is the mean toxicity. The
-- trend columns are the creator's (the same on each of its rows).
SELECT
  creator_id,
  SUM(comments) AS comments,
  SUM(scored) AS scored,
  SUM(positive_comments) AS positive_comments,
  SUM(negative_comments) AS negative_comments,
  SUM(toxicity_scored) AS toxicity_scored,
  SUM(mean_toxicity * toxicity_scored) AS toxicity_sum,
  ANY_VALUE(creator_positive_share_30d) AS positive_share_30d,
  ANY_VALUE(creator_positive_share_prev_30d) AS positive_share_prev_30d,
  ANY_VALUE(creator_positive_share_change) AS positive_share_change,
  ANY_VALUE(creator_negative_share_30d) AS negative_share_30d,
  ANY_VALUE(creator_negative_share_prev_30d) AS negative_share_prev_30d,
  ANY_VALUE(creator_negative_share_change) AS negative_share_change
FROM reachops.creator_community_health
WHERE org_id = @org_id
  AND (@creator_id = '' OR creator_id = @creator_id)
  AND (@campaign_id = '' OR campaign_id = @campaign_id)
GROUP BY creator_id
ORDER BY creator_id
