"""Attribution: from a service's infrastructure to the operator behind it.

Collectors (:mod:`castwatch.attribute.collectors`) record what DNS, TLS certificates, web
pages, offline IP tables and RDAP say about a service as
:class:`~castwatch.catalog.attribution.Observation` rows; the graph built from them links
brands that share panels, hosts, certificates, analytics and payment accounts, and groups
them into operators. See docs/attribution.md.

The graph and operators (part B): :mod:`~castwatch.attribute.collect` stores observations
as typed nodes and edges (``attribute/store.py``) and rebuilds operators;
:mod:`~castwatch.attribute.graph` (footprints), :mod:`~castwatch.attribute.weights` (what
a shared pivot is worth), :mod:`~castwatch.attribute.operators` (links and clusters) and
:mod:`~castwatch.attribute.alerts` (relapse detection) do the reasoning;
:mod:`~castwatch.attribute.exports` (with ``stix``, ``misp`` and ``render``) writes STIX 2.1,
MISP, GEXF, GraphML and PNG. Entry point: ``attribute_service(store, service, settings)``.
"""
