"""Enforcement: cases, the tamper-evident evidence ledger, notices and their delivery."""
