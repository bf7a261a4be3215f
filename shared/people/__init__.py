"""People: persons and the anonymous visitors linked to them, their encrypted emails, their
journeys over every channel, and their erasure (GDPR article 17)."""
