"""The ROI dashboard: creator and paid spend against attributed results, by campaign, channel,
creator and day, and ordered funnels; figures from bigquery_sql/queries/dashboard_*.sql."""
