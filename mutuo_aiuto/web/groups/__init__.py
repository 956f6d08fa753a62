"""The groups blueprint: a group activity's meetings and who came to each (issue 12)."""
