"""The channel matcher: a pirate panel's channel name to an iptv-org channel, or abstain.

In the order a name goes through: ``names.py`` reduces it to tokens (taking off what
``decorations.py`` knows, hints from ``hints.py``, brands from ``abbreviations.py``),
``index.py`` finds candidates, ``scoring.py`` scores them and ``ranking.py`` calibrates the
ranking; ``callsigns.py`` reads North American call signs, ``market.py`` adds a service's
market where a name has no hint, and ``matcher.py`` holds :class:`ChannelMatcher`, the door.
"""
