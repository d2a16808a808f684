"""``python -m castwatch``: the same as the ``castwatch`` command."""

from castwatch.cli.app import main

main()
