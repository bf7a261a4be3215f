-- The comments with text of some posts of one organization, for sentiment scoring
-- (shared/scraping/comments.py); the sentiment service skips those already scored.
SELECT platform, comment_id, text
FROM reachops.post_comments
WHERE org_id = @org_id
  AND post_key IN UNNEST(@post_keys)
  AND text IS NOT NULL
ORDER BY post_key, platform, comment_id
