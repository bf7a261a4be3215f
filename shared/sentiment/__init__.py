"""Sentiment of customer texts (feedback, form responses, post comments): scored by Anthropic
or, without an API key, VADER; cached by content hash and model; stored in
reachops.sentiment_scores."""
