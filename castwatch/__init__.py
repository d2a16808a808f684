"""castwatch: inventory, identify, verify, attribute and enforce against pirate IPTV services."""

__version__ = "0.1.0"
