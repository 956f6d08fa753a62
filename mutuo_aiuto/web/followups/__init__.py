"""The followups blueprint: follow-ups, closing matches, feedback, vetting and the calendar."""
