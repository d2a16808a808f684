"""A fake outside plugin package, found through its ``castwatch.plugins`` entry points.

Each module is one extension, written as a newcomer would: one class, registered with the
extension point's decorator; ``castwatch_fake-0.1.dist-info/entry_points.txt`` names the
modules. tests/plugins/conftest.py puts this directory on ``sys.path``, as ``pip install``
would put the package in site-packages.
"""
