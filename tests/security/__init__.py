"""Proofs that cover every route: the access matrix, hostile input, size and outage limits."""
