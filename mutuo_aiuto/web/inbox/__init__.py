"""The inbox blueprint: notifications and the match page of its two sides."""
