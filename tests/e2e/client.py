#!/usr/bin/env python3
"""Quorum end-to-end client in Python (requests).

Schedules a meeting on the quorumd at QUORUM_URL with the bearer QUORUM_TOKEN, reads it back,
finds it in the list, changes it with If-Match, asks for a host and a guest join token, and checks
that a bad request is refused with a problem+json naming the field. Prints a summary; exits 1 on
the first mismatch.
"""

import base64
import datetime
import json
import os
import re
import sys

import requests

TOPIC = "Réunion d'équipe · 東京 ✓"
PASSCODE = "s3cret*9"
GUEST_NAME = "Zoë Gäst"
JWT_PART = re.compile(r"^[A-Za-z0-9_-]+$")


class Mismatch(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Mismatch(what)


def expect_status(response, status, what):
    expect(response.status_code == status,
           f"{what}: expected {status}, got {response.status_code}: {response.text[:300]}")


def jwt_payload(token):
    """Checks the compact form (three base64url parts) and returns the decoded payload."""
    parts = token.split(".")
    expect(len(parts) == 3, f"a JWT has three parts, got {len(parts)}")
    for part in parts:
        expect(JWT_PART.match(part) is not None, f"JWT part is not base64url: {part[:20]}")
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def main():
    base = os.environ["QUORUM_URL"].rstrip("/")
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + os.environ["QUORUM_TOKEN"]
    summary = []

    # A start a week ahead keeps the run valid whatever day it is.
    start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7))
    start_text = start.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    created = session.post(f"{base}/v1/meetings", json={
        "topic": TOPIC, "start_time": start_text, "timezone": "Europe/Berlin",
        "duration_minutes": 45, "passcode": PASSCODE})
    expect_status(created, 201, "POST /v1/meetings")
    meeting = created.json()
    meeting_id = meeting["id"]
    expect(meeting_id.startswith("mtg_"), f"meeting id {meeting_id} has the mtg_ prefix")
    expect(meeting["topic"] == TOPIC, f"created topic round-trips: {meeting['topic']!r}")
    expect(meeting["start_time"] == start_text, f"start_time is {meeting['start_time']}")
    expect(meeting["state"] == "SCHEDULED", f"state is {meeting['state']}")
    expect(created.headers.get("Location") == f"/v1/meetings/{meeting_id}", "Location header")
    summary.append(f"created {meeting_id}")

    read = session.get(f"{base}/v1/meetings/{meeting_id}")
    expect_status(read, 200, "GET /v1/meetings/{id}")
    expect(read.json()["topic"] == TOPIC, f"read topic round-trips: {read.json()['topic']!r}")
    etag = read.headers.get("ETag")
    expect(bool(etag), "GET answers an ETag")
    summary.append(f"read back, ETag {etag}")

    found, cursor, pages = False, None, 0
    while not found:
        params = {"page_size": 50}
        if cursor:
            params["cursor"] = cursor
        listed = session.get(f"{base}/v1/meetings", params=params)
        expect_status(listed, 200, "GET /v1/meetings")
        page = listed.json()
        pages += 1
        found = any(item["id"] == meeting_id for item in page["meetings"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    expect(found, "the new meeting is in the list")
    summary.append(f"listed ({pages} page(s))")

    patched = session.patch(f"{base}/v1/meetings/{meeting_id}",
                            data=json.dumps({"duration_minutes": 60}),
                            headers={"If-Match": etag,
                                     "Content-Type": "application/merge-patch+json"})
    expect_status(patched, 200, "PATCH with a fresh If-Match")
    expect(patched.json()["duration_minutes"] == 60, "PATCH changed duration_minutes")
    expect(patched.headers.get("ETag") not in (None, etag), "PATCH answers a new ETag")
    stale = session.patch(f"{base}/v1/meetings/{meeting_id}", json={"duration_minutes": 90},
                          headers={"If-Match": etag})
    expect_status(stale, 412, "PATCH with a stale If-Match")
    summary.append(f"patched, new ETag {patched.headers['ETag']}, stale If-Match 412")

    host = session.post(f"{base}/v1/meetings/{meeting_id}/joinToken", json={})
    expect_status(host, 200, "joinToken as the bearer")
    expect(host.json()["participant_role"] == "host",
           f"the creator joins as host, not {host.json()['participant_role']}")
    claims = jwt_payload(host.json()["jwt"])
    expect(claims.get("mid") == meeting_id, f"host JWT mid is {claims.get('mid')}")
    expect(claims.get("role") == "host", f"host JWT role is {claims.get('role')}")
    expect(host.json()["expires_in"] > 0, "expires_in is positive")
    summary.append(f"host token for {claims['sub']}, sfu {host.json()['sfu_url']}")

    # The guest comes from the join page: no Authorization header at all.
    guest = requests.post(f"{base}/v1/meetings/{meeting_id}/joinToken",
                          json={"guest": True, "display_name": GUEST_NAME,
                                "passcode": PASSCODE})
    expect_status(guest, 200, "joinToken as a guest with the passcode")
    expect(guest.json()["participant_role"] == "attendee",
           f"the guest joins as attendee, not {guest.json()['participant_role']}")
    claims = jwt_payload(guest.json()["jwt"])
    expect(claims.get("mid") == meeting_id, f"guest JWT mid is {claims.get('mid')}")
    expect(claims.get("name") == GUEST_NAME, f"guest JWT name is {claims.get('name')!r}")
    summary.append(f"guest token for {claims['sub']}")

    bad = session.post(f"{base}/v1/meetings", json={
        "topic": "", "start_time": start_text, "duration_minutes": 0})
    expect_status(bad, 400, "POST /v1/meetings with an empty topic")
    content_type = bad.headers.get("Content-Type", "")
    expect(content_type.startswith("application/problem+json"),
           f"a problem+json answers, not {content_type}")
    problem = bad.json()
    expect(problem.get("code") == "validation_failed", f"problem code {problem.get('code')}")
    expect(problem.get("type") == "urn:quorum:problem:validation_failed",
           f"problem type {problem.get('type')}")
    expect(problem.get("status") == 400, f"problem status {problem.get('status')}")
    fields = sorted(error["field"] for error in problem.get("errors", []))
    expect("topic" in fields and "duration_minutes" in fields, f"errors[].field are {fields}")
    summary.append(f"bad request: 400 {problem['code']} on {', '.join(fields)}")

    print("python client: OK")
    for line in summary:
        print("  " + line)


if __name__ == "__main__":
    try:
        main()
    except Mismatch as mismatch:
        print(f"python client: MISMATCH: {mismatch}", file=sys.stderr)
        sys.exit(1)
    except (requests.RequestException, KeyError, ValueError) as error:
        print(f"python client: ERROR: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
