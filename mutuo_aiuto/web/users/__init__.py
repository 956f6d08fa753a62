"""The users blueprint: administrators manage accounts and search the audit trail."""
