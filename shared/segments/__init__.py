"""Segments: rule segments compiled to warehouse SQL, and RFM segments."""
