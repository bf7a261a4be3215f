"""Scores (NPS, engagement, lifetime value, churn risk) as records, and the customer profile."""
