"""Conversions: server-side intake (POST /v1/conversions, Meta Lead Ads), records and stats."""
