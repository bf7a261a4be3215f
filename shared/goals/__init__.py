"""Conversion goals: definitions in Firestore, evaluated in SQL over every tracked event."""
