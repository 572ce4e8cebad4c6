"""What leaves the helpdesk (issue 9): webhook URLs reaching the internal network are refused
at registration (`422 unsafe_url`), whatever the spelling of the address."""

from __future__ import annotations

import pytest
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook

UNSAFE = [
    "http://127.0.0.1:8200/hook",
    "http://localhost/hook",
    "http://app.localhost/hook",
    "http://2130706433/hook",  # 127.0.0.1 as a decimal number
    "http://0x7f000001/hook",  # ... in hex
    "http://0177.0.0.1/hook",  # ... in octal
    "http://127.1/hook",  # ... shortened
    "http://0/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://169.254.169.254/latest/meta-data",  # cloud metadata
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://0xa9fea9fe/",  # 169.254.169.254 in hex
    "http://224.0.0.1/hook",  # multicast
    "http://239.255.255.250:1900/",
    "http://100.64.0.1/hook",  # carrier-grade NAT
]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_webhook_urls_are_refused_at_registration(desk: WebDesk, url: str) -> None:
    r = desk.client.post(
        "/api/webhooks", json={"url": url, "events": ["*"]}, headers=desk.auth("admin")
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "unsafe_url"
    assert r.json()["errors"][0]["field"] == "url"
    assert desk.client.get("/api/webhooks", headers=desk.auth("admin")).json() == []


@pytest.mark.parametrize("url", ["https://93.184.216.34/in", "https://hooks.example.com/in"])
def test_public_addresses_and_names_are_accepted(desk: WebDesk, url: str) -> None:
    r = desk.client.post(
        "/api/webhooks", json={"url": url, "events": ["*"]}, headers=desk.auth("admin")
    )
    assert r.status_code == 201, r.text


def test_allow_private_still_opts_out(rules: Rulebook) -> None:
    with web_desk(rules, webhook_allow_private=True) as desk:
        r = desk.client.post(
            "/api/webhooks",
            json={"url": "http://2130706433/hook", "events": ["*"]},
            headers=desk.auth("admin"),
        )
        assert r.status_code == 201, r.text
