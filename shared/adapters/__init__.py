"""One module per outside system, each implementing a Protocol from shared.ports."""
