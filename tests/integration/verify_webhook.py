#!/usr/bin/env python3
"""An independent webhook signature verifier for the tests (Python's hmac, not our C++).

Usage: verify_webhook.py BODY_FILE SIGNATURE_HEADER SECRET [SECRET...]

Reads the exact body bytes from BODY_FILE and checks SIGNATURE_HEADER
("t=<unix seconds>,v1=<hex>[,v1=<hex>...]", other keys such as v0 ignored) with each
secret: a secret verifies when any v1 equals hex(HMAC-SHA256(secret, "v1:" + t + ":" + body)),
compared in constant time. Prints one JSON object: {"t": ..., "v1_count": n,
"verified": [true|false per secret]}. Exits 2 on a malformed header.
"""
import hashlib
import hmac
import json
import sys


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        body = f.read()
    header = sys.argv[2]
    secrets = sys.argv[3:]

    t = None
    v1 = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            t = value
        elif key == "v1":
            v1.append(value)
    if t is None or not t.isdigit():
        print("no t= in the header", file=sys.stderr)
        return 2

    verified = []
    for secret in secrets:
        mac = hmac.new(secret.encode("utf-8"), b"v1:" + t.encode("ascii") + b":" + body,
                       hashlib.sha256).hexdigest()
        verified.append(any(hmac.compare_digest(mac, value) for value in v1))
    print(json.dumps({"t": int(t), "v1_count": len(v1), "verified": verified}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
