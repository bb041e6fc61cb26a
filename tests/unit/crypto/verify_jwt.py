#!/usr/bin/python3
"""Verify a Quorum JWT with an implementation independent of ours (PyJWT on cryptography).

Usage: verify_jwt.py JWKS_FILE TOKEN AUDIENCE

Prints the verified claims as JSON and exits 0, or prints why the token was refused to
standard error and exits 1. Exits 2 on a usage error. Only EdDSA is accepted, as in Quorum.
"""

import json
import sys

import jwt


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    jwks_path, token, audience = argv[1:]

    with open(jwks_path, encoding="utf-8") as jwks_file:
        key_set = jwt.PyJWKSet.from_dict(json.load(jwks_file))

    try:
        kid = jwt.get_unverified_header(token).get("kid")
        matching = [key for key in key_set.keys if key.key_id == kid]
        if not matching:
            raise jwt.InvalidKeyError(f"no key with kid {kid!r} in the key set")
        claims = jwt.decode(
            token,
            key=matching[0].key,
            algorithms=["EdDSA"],
            audience=audience,
            options={"require": ["exp"]},
        )
    except jwt.PyJWTError as error:
        print(f"refused: {type(error).__name__}: {error}", file=sys.stderr)
        return 1

    print(json.dumps(claims, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
