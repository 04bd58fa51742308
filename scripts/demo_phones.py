"""Registers demo phones around Saint-Étienne with the demo push service (`make run` only)."""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import httpx

CENTRE = (4.3872, 45.4397)
# The demo push service forgets its subscriptions when it stops: the previous run's phones are
# erased (through the API, as a resident would) so that alerts do not count them as gone.
REGISTERED = Path("var/demo_phones.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", required=True, help="Tocsin's base URL")
    parser.add_argument("--push", required=True, help="the demo push service's base URL")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--token", help="an operator's API token: the first two phones become the town's test "
                                         "devices, so that exercises reach someone")
    args = parser.parse_args()
    if REGISTERED.exists():
        for phone in json.loads(REGISTERED.read_text()):
            httpx.delete(f"{args.api}/api/v1/devices/{phone['id']}",
                         headers={"Authorization": f"Bearer {phone['secret']}"})
    registered = []
    subscriptions = httpx.post(f"{args.push}/_subscriptions", params={"n": args.count}).json()
    rng = random.Random(42)
    for i, subscription in enumerate(subscriptions):
        # homes spread up to 2 km from the town hall: about a quarter inside the example's 1 km circle
        distance, bearing = 2000 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        lat = CENTRE[1] + distance * math.cos(bearing) / 111_132
        lon = CENTRE[0] + distance * math.sin(bearing) / (111_320 * math.cos(math.radians(CENTRE[1])))
        response = httpx.post(f"{args.api}/api/v1/devices", json={
            "platform": "webpush", "subscription": subscription, "locale": "fr" if i % 4 else "en",
            "follow": ["saint-etienne"], "places": [{"kind": "home", "lat": lat, "lon": lon}],
        })
        response.raise_for_status()
        registered.append(response.json())
    REGISTERED.write_text(json.dumps(registered))
    print(f"==> {len(subscriptions)} demo phones registered (push service {args.push})")
    if args.token and registered:
        code = httpx.post(f"{args.api}/api/v1/stations/saint-etienne/test-devices/codes",
                          headers={"Authorization": f"Bearer {args.token}"})
        code.raise_for_status()
        for phone in registered[:2]:
            httpx.post(f"{args.api}/api/v1/devices/{phone['id']}/test-stations", json={"code": code.json()["code"]},
                       headers={"Authorization": f"Bearer {phone['secret']}"}).raise_for_status()
        print("==> 2 of them are test devices of saint-etienne: exercises and tests reach them")


if __name__ == "__main__":
    main()
