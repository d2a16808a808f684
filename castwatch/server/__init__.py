"""The coalition server: an HTTP API (FastAPI) over the same stage functions as the CLI.

A surface, like ``cli/``: it parses requests, checks who is calling and what their
organisation may see, calls the stage functions and renders their results.
"""
