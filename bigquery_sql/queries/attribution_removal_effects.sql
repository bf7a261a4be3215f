-- One org's removal effects per channel, as the attribution_resolve job stored them last.
SELECT channel, removal_effect, share, from_date, to_date, computed_at
FROM reachops.attribution_removal_effects
WHERE org_id = @org_id
ORDER BY channel;
