"""What each ecosystem host serves: shops, "we moved" pages, panels, streams, hostile hosts.

:class:`EcosystemApp` picks a site by the Host header. Shop pages carry their brand's
signals (:class:`~castwatch.sim.ecosystem.world.Signals`) the way real ones do: tags in
scripts, contacts as links, payment handles in text.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import orjson

from castwatch.sim.ecosystem.web import Answer, Request
from castwatch.sim.ecosystem.world import STATIC_HOST, Brand, Operator, Signals, World
from castwatch.sim.ecosystem.zones import HOSTILE_ZONE

#: Seconds the slow hostile host waits before its first byte.
SLOW_DELAY = 30.0


def shop_html(title: str, signals: Signals, body: str, panel_url: str | None) -> str:
    """A shop page showing ``signals``."""
    head = [f"<title>{html.escape(title)}</title>", '<meta charset="utf-8">']
    head.append('<link rel="icon" type="image/png" href="/assets/favicon.png">')
    tags = [tag for tag in (signals.ga, signals.ga4) if tag]
    if tags:
        head.append(
            f'<script async src="https://www.googletagmanager.com/gtag/js?id={tags[0]}"></script>'
        )
        configs = "".join(f"gtag('config', '{tag}');" for tag in tags)
        head.append(
            "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
            f"arguments);}}gtag('js', new Date());{configs}</script>"
        )
    if signals.gtm:
        head.append(
            "<script>(function(w,d,s,l,i){w[l]=w[l]||[];})(window,document,'script',"
            f"'dataLayer','{signals.gtm}');</script>"
        )
    if signals.pixel:
        head.append(f"<script>fbq('init', '{signals.pixel}');fbq('track', 'PageView');</script>")
    head += [
        f'<script src="{html.escape(link)}"></script>'
        for link in signals.links
        if link.endswith(".js")
    ]
    contact = []
    if signals.whatsapp:
        contact.append(f'<a href="https://wa.me/{signals.whatsapp.lstrip("+")}">WhatsApp</a>')
    if signals.telegram:
        contact.append(f'<a href="https://t.me/{signals.telegram}">Telegram</a>')
    if signals.email:
        contact.append(f'<a href="mailto:{signals.email}">{signals.email}</a>')
    pay = []
    if signals.paypal:
        pay.append(f"<li>PayPal: {signals.paypal}</li>")
    for label, address in (
        ("Bitcoin", signals.btc),
        ("USDT (TRC20)", signals.tron),
        ("ETH / USDT (ERC20)", signals.eth),
    ):
        if address:
            pay.append(f"<li>{label}: <code>{address}</code></li>")
    links = [
        f'<a href="{html.escape(link)}">partner</a>'
        for link in signals.links
        if not link.endswith(".js")
    ]
    if panel_url:
        links.append(f'<a href="{html.escape(panel_url)}">Client area</a>')
    return (
        "<!doctype html><html><head>" + "".join(head) + "</head><body>"
        f"<h1>{html.escape(title)}</h1>{body}"
        '<ul class="plans"><li>1 month 12.99</li><li>12 months 59.99</li></ul>'
        f'<p class="contact">{" | ".join(contact)}</p><ul class="pay">{"".join(pay)}</ul>'
        f"<footer>{' '.join(links)}</footer></body></html>"
    )


class EcosystemApp:
    """Routes a request to the site its Host names; unknown hosts get 404."""

    def __init__(self, world: World, http_port: int, https_port: int) -> None:
        self.world = world
        self.http_port = http_port
        self.https_port = https_port
        self._sites: dict[str, Callable[[Request], Answer]] = {}
        for op in world.operators.values():
            self._sites[op.panel_host] = self._panel(op)
            self._sites[op.stream_host] = self._stream(op)
        for brand in world.brands.values():
            op = world.operator_of(brand)
            shop = self._shop(brand, op)
            self._sites[brand.domain] = self._sites[f"www.{brand.domain}"] = shop
            self._sites[brand.panel_alias] = self._sites[op.panel_host]
            if brand.stream_alias:
                self._sites[f"stream.{brand.domain}"] = self._sites[op.stream_host]
        self._sites[STATIC_HOST[0]] = lambda request: Answer(
            content_type="application/javascript", body=b"/* jQuery-like */"
        )
        page = b"<html><head><title>Hostile test host</title></head><body>x</body></html>"
        self._sites[f"huge.{HOSTILE_ZONE}"] = lambda request: Answer(body=page, endless=True)
        self._sites[f"slow.{HOSTILE_ZONE}"] = lambda request: Answer(body=page, delay=SLOW_DELAY)
        self._sites[f"badcert.{HOSTILE_ZONE}"] = lambda request: Answer(body=page)

    async def __call__(self, request: Request) -> Answer:
        site = self._sites.get(request.host)
        if site is None:
            return Answer(404, "text/plain", b"no such site")
        return site(request)

    def shop_url(self, brand: Brand) -> str:
        return f"https://{brand.domain}:{self.https_port}/"

    def panel_url(self, brand: Brand, api: bool = True) -> str:
        base = f"http://{brand.panel_alias}:{self.http_port}/"
        if not api:
            return base
        return f"{base}player_api.php?username={brand.username}&password={brand.password}"

    def _shop(self, brand: Brand, op: Operator) -> Callable[[Request], Answer]:
        server = "edgeflare" if brand.front == "cdn" else op.server
        headers = {"Server": server}
        if brand.moved_to is not None:
            new = self.world.brands[brand.moved_to]
            if brand.redirects:
                moved = {**headers, "Location": self.shop_url(new)}
                return lambda request: Answer(301, headers=moved, body=b"moved")
            body = (
                f'<p>We moved! Our new home is <a href="{self.shop_url(new)}">{new.domain}</a>.</p>'
            )
        else:
            body = f"<p>{brand.slug.title()}: 20,000 live channels and 60,000 films in 4K.</p>"
        title = f"{brand.slug.title()} IPTV - Premium 4K subscriptions"
        page = shop_html(title, brand.signals, body, self.panel_url(brand, api=False)).encode()
        icon = brand.signals.favicon

        def shop(request: Request) -> Answer:
            if request.path in ("/assets/favicon.png", "/favicon.ico"):
                return Answer(content_type="image/png", body=icon, headers=headers)
            if request.path == "/":
                return Answer(body=page, headers=headers)
            return Answer(404, "text/plain", b"not found", headers)

        return shop

    def _panel(self, op: Operator) -> Callable[[Request], Answer]:
        accounts = {
            (b.username, b.password) for b in self.world.brands.values() if b.operator == op.id
        }
        login = (
            b"<!doctype html><html><head><title>Xtream Codes - Login</title></head><body>"
            b'<form method="post" action="/login.php"></form></body></html>'
        )

        def panel(request: Request) -> Answer:
            if request.path != "/player_api.php":
                return Answer(body=login, headers={"Server": "nginx"})
            account = (request.query.get("username", ""), request.query.get("password", ""))
            if account not in accounts:
                return Answer(content_type="application/json", body=b'{"user_info":{"auth":0}}')
            now = int(time.time())
            info = {
                "user_info": {"username": account[0], "auth": 1, "status": "Active"},
                "server_info": {
                    "url": op.panel_host,
                    "port": str(self.http_port),
                    "https_port": str(self.https_port),
                    "server_protocol": "http",
                    "rtmp_port": str(op.rtmp_port),
                    "timezone": op.timezone,
                    "timestamp_now": now,
                    "time_now": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
                },
            }
            return Answer(content_type="application/json", body=orjson.dumps(info))

        return panel

    def _stream(self, op: Operator) -> Callable[[Request], Answer]:
        packet = b"\x47" + bytes(187)

        def stream(request: Request) -> Answer:
            if request.path.startswith("/live/"):
                return Answer(content_type="video/mp2t", body=packet * 10)
            return Answer(404, "text/plain", b"not found", {"Server": "nginx"})

        return stream
