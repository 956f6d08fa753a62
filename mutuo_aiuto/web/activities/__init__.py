"""Group activities: find one, post one, join one (issue 12)."""
