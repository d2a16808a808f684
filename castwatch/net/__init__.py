"""The one HTTP layer every stage goes through: policy, client, error mapping, HLS.

:mod:`~castwatch.net.policy` holds :class:`~castwatch.net.policy.FetchOptions`, the policy a
client is built from, and the address rule for URLs that come from data;
:mod:`~castwatch.net.transport` applies that rule where connections open (optionally through
a pinned resolver, sending the real name as SNI); :mod:`~castwatch.net.client` is the
:class:`~castwatch.net.client.HttpClient` (size cap after decompression, memory budget,
timeouts and deadline, retries, request rate); :mod:`~castwatch.net.errors` maps httpx's
errors into :mod:`castwatch.errors` once; :mod:`~castwatch.net.hls` is the HLS client on top.

Nothing is imported here: ``castwatch --help`` must not pay for httpx.
"""
