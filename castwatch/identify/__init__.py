"""Identification: what a pirate service's entries are, and whose rights they touch.

The reference registries come first (``registries/``): the iptv-org channel registry
(``iptv_org.py``), the rights holders and what they claim (``holders.py``), and the works
(``works.py``, with the bundled works and studio table in ``bundled.py``), all kept in the
database by ``castwatch.storage.reference``. Two matchers read them from there: channel names
(``channels/``) and film and series titles (``works/``); both fold text through one module,
``text.py``. ``matchers.py`` caches the built matchers, ``snapshot.py`` identifies a stored
snapshot's entries, and ``impact.py`` ranks the rights holders a service harms.
"""
