"""Hostile input against a running server (issue 9): peak memory under the YAML alias bomb,
and legitimate intakes acknowledged while one bad (NUL) intake a second is sent.

    TIERDESK_PUBLIC_RATE_PER_MINUTE=1000000 TIERDESK_PUBLIC_BURST=100000 \\
        .venv/bin/tierdesk serve --demo --port 8200 &
    .venv/bin/python bench/hostile_input.py --pid $! [--url http://127.0.0.1:8200] [--seconds 15]

1. The alias bomb of the issue, nine levels (332 bytes; a billion nodes once expanded), posted
   ten times as the demo supervisor: the answer and the server's peak resident memory
   (VmHWM from /proc/PID/status) before and after. The floor: the peak before the bomb.
2. 20 concurrent clients send legitimate intakes for `--seconds` while one intake with a NUL
   byte is sent every second: how many legitimate intakes were acknowledged (201) out of
   those sent (the floor: all of them), and what the bad ones got.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from pathlib import Path

import httpx

BOMB = "\n".join(
    ["a: &a [x,x,x,x,x,x,x,x,x,x]"]
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]"
        for i in range(8)
    ]
)


def peak_mib(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss, hwm = (
        int(re.search(k + r":\s+(\d+)", status).group(1)) // 1024 for k in ("VmRSS", "VmHWM")
    )  # type: ignore[union-attr]
    return rss, hwm


def bomb(url: str, pid: int) -> None:
    with httpx.Client(base_url=url, timeout=120) as c:
        login = c.post(
            "/api/auth/login", json={"username": "sup.grace", "password": "tierdesk-demo"}
        )
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        before = peak_mib(pid)
        start = time.monotonic()
        for _ in range(10):
            r = c.post("/api/policy-versions", json={"title": "bomb", "source": BOMB}, headers=csrf)
        each = (time.monotonic() - start) / 10
        after = peak_mib(pid)
    print(
        f"alias bomb ({len(BOMB.encode())} bytes) x10: {r.status_code} {r.json()['code']}, "
        f"{each * 1000:.0f} ms each; RSS/peak MiB before {before}, after {after} "
        f"(peak ratio to the floor: {after[1] / before[1]:.2f})"
    )


async def intakes(url: str, seconds: float, workers: int = 20) -> None:
    ok = sent = 0
    bad: dict[int, int] = {}
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:

        async def legit(w: int) -> None:
            nonlocal ok, sent
            n = 0
            while time.monotonic() < stop:
                n += 1
                sent += 1
                r = await c.post(
                    "/api/intake",
                    json={"email": f"w{w}n{n}@example.com", "body": f"Where is my order #{w}{n}?"},
                )
                ok += r.status_code == 201

        async def nul() -> None:
            while time.monotonic() < stop:
                r = await c.post(
                    "/api/intake", json={"email": "bad@example.com", "body": "a\u0000b"}
                )
                bad[r.status_code] = bad.get(r.status_code, 0) + 1
                await asyncio.sleep(1)

        await asyncio.gather(nul(), *(legit(w) for w in range(workers)))
    print(
        f"{seconds:.0f} s, {workers} clients: legitimate intakes acknowledged {ok} of {sent} "
        f"(ratio to the floor, all: {ok / max(sent, 1):.3f}); bad intakes answered {bad}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8200")
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    bomb(args.url, args.pid)
    asyncio.run(intakes(args.url, args.seconds))


if __name__ == "__main__":
    main()
