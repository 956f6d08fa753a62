"""Scripts that measure the matcher and print figures (not part of the installed package)."""
