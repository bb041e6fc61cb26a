// Quorum end-to-end client in Go (standard library only; no module, nothing to download).
//
// Schedules a meeting on the quorumd at QUORUM_URL with the bearer QUORUM_TOKEN, reads it back,
// finds it in the list, changes it with If-Match, asks for a host and a guest join token, and
// checks that a bad request is refused with a problem+json naming the field. Prints a summary;
// exits 1 on the first mismatch.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

const (
	topic     = "Réunion d'équipe · 東京 ✓"
	passcode  = "s3cret*9"
	guestName = "Zoë Gäst"
)

var jwtPart = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

type mismatch struct{ what string }

func (m mismatch) Error() string { return m.what }

// expect stops the run with a mismatch; main recovers it and exits 1.
func expect(condition bool, format string, args ...any) {
	if !condition {
		panic(mismatch{fmt.Sprintf(format, args...)})
	}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) object() map[string]any {
	var value map[string]any
	expect(json.Unmarshal(r.body, &value) == nil, "the body is a JSON object: %.300s", r.body)
	return value
}

type client struct {
	base  string
	token string
	http  *http.Client
}

func (c client) call(method, path string, body any, headers map[string]string) reply {
	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		expect(err == nil, "encode the request body: %v", err)
		reader = bytes.NewReader(encoded)
	}
	request, err := http.NewRequest(method, c.base+path, reader)
	expect(err == nil, "build the request: %v", err)
	if body != nil {
		request.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		request.Header.Set("Authorization", "Bearer "+c.token)
	}
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	response, err := c.http.Do(request)
	expect(err == nil, "%s %s: %v", method, path, err)
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	expect(err == nil, "read the answer to %s %s: %v", method, path, err)
	return reply{response.StatusCode, response.Header, data}
}

func expectStatus(r reply, status int, what string) {
	expect(r.status == status, "%s: expected %d, got %d: %.300s", what, status, r.status, r.body)
}

// jwtPayload checks the compact form (three base64url parts) and returns the decoded payload.
func jwtPayload(token string) map[string]any {
	parts := strings.Split(token, ".")
	expect(len(parts) == 3, "a JWT has three parts, got %d", len(parts))
	for _, part := range parts {
		expect(jwtPart.MatchString(part), "JWT part is not base64url: %.20s", part)
	}
	decoded, err := base64.RawURLEncoding.DecodeString(parts[1])
	expect(err == nil, "decode the JWT payload: %v", err)
	var claims map[string]any
	expect(json.Unmarshal(decoded, &claims) == nil, "the JWT payload is JSON: %s", decoded)
	return claims
}

func contains(values []string, wanted string) bool {
	for _, value := range values {
		if value == wanted {
			return true
		}
	}
	return false
}

func run() []string {
	base := strings.TrimSuffix(os.Getenv("QUORUM_URL"), "/")
	token := os.Getenv("QUORUM_TOKEN")
	expect(base != "" && token != "", "QUORUM_URL and QUORUM_TOKEN must be set")
	httpClient := &http.Client{Timeout: 30 * time.Second}
	bearer := client{base, token, httpClient}
	anonymous := client{base, "", httpClient}
	var summary []string

	// A start a week ahead keeps the run valid whatever day it is.
	startText := time.Now().UTC().Add(7 * 24 * time.Hour).Truncate(time.Second).
		Format("2006-01-02T15:04:05Z")
	created := bearer.call("POST", "/v1/meetings", map[string]any{
		"topic": topic, "start_time": startText, "timezone": "Europe/Berlin",
		"duration_minutes": 45, "passcode": passcode}, nil)
	expectStatus(created, 201, "POST /v1/meetings")
	meeting := created.object()
	id, _ := meeting["id"].(string)
	expect(strings.HasPrefix(id, "mtg_"), "meeting id %q has the mtg_ prefix", id)
	expect(meeting["topic"] == topic, "created topic round-trips: %v", meeting["topic"])
	expect(meeting["start_time"] == startText, "start_time is %v", meeting["start_time"])
	expect(meeting["state"] == "SCHEDULED", "state is %v", meeting["state"])
	expect(created.header.Get("Location") == "/v1/meetings/"+id, "Location header")
	summary = append(summary, "created "+id)

	read := bearer.call("GET", "/v1/meetings/"+id, nil, nil)
	expectStatus(read, 200, "GET /v1/meetings/{id}")
	expect(read.object()["topic"] == topic, "read topic round-trips: %v", read.object()["topic"])
	etag := read.header.Get("ETag")
	expect(etag != "", "GET answers an ETag")
	summary = append(summary, "read back, ETag "+etag)

	found, cursor, pages := false, "", 0
	for {
		query := url.Values{"page_size": {"50"}}
		if cursor != "" {
			query.Set("cursor", cursor)
		}
		listed := bearer.call("GET", "/v1/meetings?"+query.Encode(), nil, nil)
		expectStatus(listed, 200, "GET /v1/meetings")
		page := listed.object()
		pages++
		items, _ := page["meetings"].([]any)
		for _, item := range items {
			if object, ok := item.(map[string]any); ok && object["id"] == id {
				found = true
			}
		}
		cursor, _ = page["next_cursor"].(string)
		if found || cursor == "" {
			break
		}
	}
	expect(found, "the new meeting is in the list")
	summary = append(summary, fmt.Sprintf("listed (%d page(s))", pages))

	patched := bearer.call("PATCH", "/v1/meetings/"+id, map[string]any{"duration_minutes": 60},
		map[string]string{"If-Match": etag, "Content-Type": "application/merge-patch+json"})
	expectStatus(patched, 200, "PATCH with a fresh If-Match")
	expect(patched.object()["duration_minutes"] == float64(60), "PATCH changed duration_minutes")
	newEtag := patched.header.Get("ETag")
	expect(newEtag != "" && newEtag != etag, "PATCH answers a new ETag")
	stale := bearer.call("PATCH", "/v1/meetings/"+id, map[string]any{"duration_minutes": 90},
		map[string]string{"If-Match": etag})
	expectStatus(stale, 412, "PATCH with a stale If-Match")
	summary = append(summary, "patched, new ETag "+newEtag+", stale If-Match 412")

	host := bearer.call("POST", "/v1/meetings/"+id+"/joinToken", map[string]any{}, nil)
	expectStatus(host, 200, "joinToken as the bearer")
	hostReply := host.object()
	expect(hostReply["participant_role"] == "host", "the creator joins as host, not %v",
		hostReply["participant_role"])
	jwt, _ := hostReply["jwt"].(string)
	claims := jwtPayload(jwt)
	expect(claims["mid"] == id, "host JWT mid is %v", claims["mid"])
	expect(claims["role"] == "host", "host JWT role is %v", claims["role"])
	expiresIn, _ := hostReply["expires_in"].(float64)
	expect(expiresIn > 0, "expires_in is positive")
	summary = append(summary, fmt.Sprintf("host token for %v, sfu %v", claims["sub"],
		hostReply["sfu_url"]))

	// The guest comes from the join page: no Authorization header at all.
	guest := anonymous.call("POST", "/v1/meetings/"+id+"/joinToken", map[string]any{
		"guest": true, "display_name": guestName, "passcode": passcode}, nil)
	expectStatus(guest, 200, "joinToken as a guest with the passcode")
	guestReply := guest.object()
	expect(guestReply["participant_role"] == "attendee", "the guest joins as attendee, not %v",
		guestReply["participant_role"])
	jwt, _ = guestReply["jwt"].(string)
	claims = jwtPayload(jwt)
	expect(claims["mid"] == id, "guest JWT mid is %v", claims["mid"])
	expect(claims["name"] == guestName, "guest JWT name is %v", claims["name"])
	summary = append(summary, fmt.Sprintf("guest token for %v", claims["sub"]))

	bad := bearer.call("POST", "/v1/meetings", map[string]any{
		"topic": "", "start_time": startText, "duration_minutes": 0}, nil)
	expectStatus(bad, 400, "POST /v1/meetings with an empty topic")
	contentType := bad.header.Get("Content-Type")
	expect(strings.HasPrefix(contentType, "application/problem+json"),
		"a problem+json answers, not %s", contentType)
	problem := bad.object()
	expect(problem["code"] == "validation_failed", "problem code %v", problem["code"])
	expect(problem["type"] == "urn:quorum:problem:validation_failed", "problem type %v",
		problem["type"])
	expect(problem["status"] == float64(400), "problem status %v", problem["status"])
	var fields []string
	errors, _ := problem["errors"].([]any)
	for _, entry := range errors {
		if object, ok := entry.(map[string]any); ok {
			field, _ := object["field"].(string)
			fields = append(fields, field)
		}
	}
	sort.Strings(fields)
	joined := strings.Join(fields, ", ")
	expect(contains(fields, "topic") && contains(fields, "duration_minutes"),
		"errors[].field are %s", joined)
	summary = append(summary, fmt.Sprintf("bad request: 400 %v on %s", problem["code"], joined))
	return summary
}

func main() {
	defer func() {
		if failure := recover(); failure != nil {
			if m, ok := failure.(mismatch); ok {
				fmt.Fprintf(os.Stderr, "go client: MISMATCH: %s\n", m.what)
				os.Exit(1)
			}
			panic(failure)
		}
	}()
	summary := run()
	fmt.Println("go client: OK")
	for _, line := range summary {
		fmt.Println("  " + line)
	}
}
