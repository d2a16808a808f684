"""The command line: Typer commands over the stages, rich output, ``--json`` for scripts."""
