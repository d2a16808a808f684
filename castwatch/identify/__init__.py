"""Identification: what a pirate service's entries are, and whose rights they touch.

The reference registries come first: the iptv-org channel registry (``iptv_org.py``), the
rights holders and what they claim (``holders.py``), and the works (``works.py``), all kept
in the database by ``castwatch.storage.reference``. The matchers and the impact stage read
them from there.
"""
