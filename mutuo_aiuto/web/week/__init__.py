"""The week blueprint: a member's week on one page, as a calendar."""
