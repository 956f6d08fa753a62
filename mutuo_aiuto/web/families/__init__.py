"""The families blueprint."""
