"""The rights of the people whose data we keep (GDPR), one module per job.

- ``ownership``: which rows belong to a person (their account, their household,
  and every row a foreign-key chain leads to from them);
- ``export``: everything kept about an account and its household (access);
- ``consent``: agreement to the current privacy notice;
- ``erasure``: the family asks, a facilitator confirms, the household is anonymised
  and every copy of its names in other people's mail is redacted;
- ``retention``: what is blanked or deleted once it is old enough.

Nothing commits here.
"""
