"""The programme's figures (issue 14), computed from the service's own rows.
"""
