"""Attribution: sessions resolved to campaigns and channels, and conversions credited to them
by six models (shared/attribution/paths.py, markov.py; SQL views in bigquery_sql/views/)."""
