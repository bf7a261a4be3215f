"""Consumer insights: what a customer is worth (`clv`: BG/NBD and Gamma-Gamma fitted by maximum
likelihood, expected purchases, P(alive), discounted lifetime value and the holdout check) and
how customers rate the brand (`nps`: Net Promoter Score with its margin of error and the test of
a change between two periods). Pure engines: no storage, no outside systems."""
