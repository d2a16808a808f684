"""The works matcher: a pirate film or episode name to a work of the registry, or abstain.

``titles.py`` parses a name into a title (``spans.py`` its shorter readings), ``keys.py``
folds titles into index keys, ``entries.py`` defines the index's hashes and entry layout and
``index.py`` builds and packs it. :class:`~castwatch.identify.works.matcher.WorkMatcher`
(``matcher.py``) is the door: it looks works up through ``lookup.py``, decides by the rules
of ``rules.py`` and maps the raw score to a confidence with ``calibration.py``; ``forked.py``
shares a batch between processes.
"""
