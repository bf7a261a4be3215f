"""Feedback (ratings with text) and forms with their responses: intake, kept in Firestore,
mirrored to the warehouse and published through the outbox."""
