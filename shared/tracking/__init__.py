"""Tracking: sites (publishable keys, allowed origins, consent) and the events browsers and
backends send them, landed once each in the warehouse's track_events table."""
