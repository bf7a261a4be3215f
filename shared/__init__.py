"""ReachOps: the library every Cloud Function imports."""
