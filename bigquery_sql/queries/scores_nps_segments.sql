-- Ratings of reachops.feedback from @from_date to @to_date (UTC days) by the current members of
-- each segment (reachops.segment_members), counted per segment, scale and rating: NPS by
-- segment. A person in two segments counts in both.
SELECT
  m.segment_id,
  f.scale,
  f.rating,
  COUNT(*) AS answers
FROM reachops.feedback AS f
JOIN reachops.segment_members AS m
  ON m.org_id = f.org_id AND m.person_id = f.person_id
WHERE DATE(f.created_at) BETWEEN @from_date AND @to_date
  AND f.org_id = @org_id
GROUP BY m.segment_id, f.scale, f.rating
ORDER BY m.segment_id, f.scale, f.rating
