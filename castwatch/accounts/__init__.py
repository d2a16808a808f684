"""Accounts of the coalition server: organisations, users with roles, API tokens.

Every object castwatch stores will belong to an organisation (issue 15); this package holds
who may act and how they prove it: passwords hashed with argon2id, API tokens stored hashed
and shown once, and a throttle on failed logins.
"""
