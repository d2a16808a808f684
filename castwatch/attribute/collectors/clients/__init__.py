"""Protocol clients for the collectors: DNS, TLS handshakes, bounded page fetches, IP tables.

Kept apart from the collectors that turn what they read into observations, as the sources
stage keeps its wire clients apart from its adapters.
"""
