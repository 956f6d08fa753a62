"""The use cases: functions that take the session (and the acting user) as arguments.

They never read ``flask.g`` or ``current_user``; they raise ``DomainError``
subclasses that the views turn into messages in the reader's language.
"""
