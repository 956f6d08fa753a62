"""Family associations: the public list and pages, proposing and editing, following, review."""
