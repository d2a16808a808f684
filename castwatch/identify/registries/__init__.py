"""The reference registries and their importers: iptv-org channels, rights holders, works.

Each importer reads a file (or the copy castwatch ships, under ``identify/data/``) into the
``catalog.registry`` records that ``castwatch.storage.reference`` stores.
"""
