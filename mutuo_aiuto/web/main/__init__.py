"""The home page, the health check and other pages that belong to no feature."""
