"""Alerts: what changed since the last look and needs a person, stored once, delivered surely.

The stages find facts (a pass's verdicts, an ingest's diff, a re-check's transitions, an
attribution's relapses); :mod:`~castwatch.alerts.detect` turns the ones a person must act on
into :class:`~castwatch.alerts.model.Alert` values, :mod:`~castwatch.alerts.store` stores each
fact once (its ``key``) with one outbox row per delivery channel, and
:mod:`~castwatch.alerts.delivery` sends the outbox by e-mail and webhook until each row is
acknowledged. Settings: :mod:`~castwatch.alerts.settings` (``alerts.toml`` and the
environment). ``castwatch alerts`` lists them; ``docs/monitoring.md`` describes the kinds.
"""
