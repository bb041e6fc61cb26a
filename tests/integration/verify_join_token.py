#!/usr/bin/python3
"""Verifies a Quorum join token the way a media node would, independently of Quorum's code.

Fetches the signing keys from the server's /.well-known/jwks.json, picks the key named by the
token's kid, checks the EdDSA signature with PyJWT and the audience, then the time claims with
no leeway. With --now the time claims are judged at that instant (seconds since the epoch)
instead of the current one, so a test can see a token expire without waiting five minutes.

On success prints {"header": {...}, "claims": {...}} as JSON and exits 0; on any failure
prints the reason to stderr and exits 1. Run it with Debian's /usr/bin/python3, which has
python3-jwt and python3-cryptography.
"""

import argparse
import json
import sys
import time
import urllib.request

import jwt


def fetch_jwks(base_url):
    with urllib.request.urlopen(base_url.rstrip("/") + "/.well-known/jwks.json", timeout=10) as r:
        return json.load(r)


def key_for(jwks, kid):
    for entry in jwks.get("keys", []):
        if entry.get("kid") == kid:
            return jwt.PyJWK(entry).key
    raise ValueError("no published key has kid %r" % kid)


def check_times(claims, now):
    # The same rule as PyJWT's with leeway 0: valid from nbf inclusive to exp exclusive.
    if now >= claims["exp"]:
        raise ValueError("the token has expired (exp %d, now %d)" % (claims["exp"], now))
    if now < claims["nbf"]:
        raise ValueError("the token is not valid yet (nbf %d, now %d)" % (claims["nbf"], now))
    if now < claims["iat"]:
        raise ValueError("the token was issued in the future (iat %d, now %d)"
                         % (claims["iat"], now))


def verify(base_url, token, audience, now):
    header = jwt.get_unverified_header(token)
    if header.get("alg") != "EdDSA":
        raise ValueError("unexpected alg %r" % header.get("alg"))
    key = key_for(fetch_jwks(base_url), header.get("kid"))

    required = ["iss", "aud", "sub", "exp", "nbf", "iat", "jti"]
    if now is None:
        claims = jwt.decode(token, key, algorithms=["EdDSA"], audience=audience, leeway=0,
                            options={"require": required})
    else:
        claims = jwt.decode(token, key, algorithms=["EdDSA"], audience=audience,
                            options={"require": required, "verify_exp": False,
                                     "verify_nbf": False, "verify_iat": False})
        check_times(claims, now)
    return header, claims


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("token", help="the join token (a compact JWS)")
    parser.add_argument("--audience", required=True, help="the media node the token must name")
    parser.add_argument("--now", type=int, help="judge exp/nbf/iat at this Unix time")
    arguments = parser.parse_args()

    try:
        header, claims = verify(arguments.base_url, arguments.token, arguments.audience,
                                arguments.now)
    except Exception as error:  # every refusal is a verification failure to the caller
        print("refused: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        return 1
    print(json.dumps({"header": header, "claims": claims, "checked_at": arguments.now
                      or int(time.time())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
