"""The privacy blueprint: a household's data rights, consent and re-authentication."""
