"""Experiments: A/B tests on a site, their assignment, analysis and results."""
