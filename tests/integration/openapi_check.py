#!/usr/bin/python3
"""Keeps resources/openapi.yaml honest against the server.

  openapi_check.py routes SPEC [ROUTES|-]
      Reads the output of `quorumd routes` ("METHOD /pattern" per line) and fails when a route
      is missing from the spec, when a built route is marked `x-quorum-status: planned`, or when
      the spec describes an operation as built that the server does not route.

  openapi_check.py responses SPEC LOG [--require-coverage]
      Reads the JSON lines ApiClient writes when QUORUM_RESPONSE_LOG is set ({method, path,
      status, headers, body}), matches each exchange to its operation by method and path
      template, and fails when the status is not listed for the operation, when a header the
      response marks required is absent, when the content type is not listed, or when a JSON
      body does not fit the listed schema (required fields, types, enums, patterns and ranges,
      through $ref, allOf, oneOf, anyOf, object properties and array items). Problem bodies are
      also checked against the Problem schema and for `type`/`status` that agree with `code`
      and the HTTP status. With --require-coverage, every built operation must appear.

Prints one line per problem and a summary; exits 1 when there is any problem.
"""

import json
import re
import sys

import yaml

METHODS = ("get", "put", "post", "patch", "delete", "options", "head", "trace")
PLACEHOLDER = re.compile(r"\{[^}]*\}")
# A path parameter matches what the router accepts in one segment.
PARAMETER_VALUE = "[A-Za-z0-9_-]+"


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as handle:
            self.document = yaml.safe_load(handle)
        self.paths = []
        for template, item in (self.document.get("paths") or {}).items():
            pattern = "".join(
                PARAMETER_VALUE if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}]*\})", template)
            )
            literal_length = len(PLACEHOLDER.sub("", template))
            self.paths.append((template, re.compile("^" + pattern + "$"), literal_length, item))

    def resolve(self, node):
        """Follows $ref chains (a Reference's own description or summary is ignored)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node and len(node) <= 3 and all(
            key in ("$ref", "description", "summary") for key in node
        ):
            reference = node["$ref"]
            if reference in seen or not reference.startswith("#/"):
                raise ValueError("cannot resolve " + reference)
            seen.add(reference)
            node = self.pointer(reference)
        return node

    def pointer(self, reference):
        node = self.document
        for part in reference[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[part]
        return node

    def match(self, path):
        """The path item whose template matches, preferring the most literal one."""
        candidates = [entry for entry in self.paths if entry[1].match(path)]
        if not candidates:
            return None
        return max(candidates, key=lambda entry: entry[2])

    def operations(self):
        for template, _, _, item in self.paths:
            for method in METHODS:
                if method in item:
                    yield template, method.upper(), item[method]


def is_planned(operation):
    return operation.get("x-quorum-status") == "planned"


def normalise(template):
    return PLACEHOLDER.sub("{}", template)


# ---------------------------------------------------------------------------------------------
# routes mode


def check_routes(spec, lines):
    problems = []
    built = set()
    by_shape = {}
    for template, method, operation in spec.operations():
        by_shape[(method, normalise(template))] = (template, operation)

    count = 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].startswith("/"):
            problems.append("cannot read the route line %r" % line)
            continue
        count += 1
        method, pattern = parts[0].upper(), parts[1]
        key = (method, normalise(pattern))
        built.add(key)
        if key not in by_shape:
            problems.append("route %s %s is missing from the spec" % (method, pattern))
            continue
        template, operation = by_shape[key]
        if is_planned(operation):
            problems.append(
                "route %s %s is built but the spec marks %s %s planned"
                % (method, pattern, method, template)
            )

    for (method, shape), (template, operation) in sorted(by_shape.items()):
        if not is_planned(operation) and (method, shape) not in built:
            problems.append(
                "the spec describes %s %s as built (no x-quorum-status: planned) but the server "
                "has no such route" % (method, template)
            )

    for problem in problems:
        print("openapi_check: " + problem)
    print(
        "openapi_check routes: %d routes, %d spec operations, %d problems"
        % (count, len(by_shape), len(problems))
    )
    return not problems


# ---------------------------------------------------------------------------------------------
# responses mode

JSON_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def validate(spec, schema, value, where):
    """The ways value does not fit schema, as sentences naming the JSON location."""
    schema = spec.resolve(schema)
    if not isinstance(schema, dict):
        return []
    errors = []
    if "$ref" in schema:
        errors += validate(spec, {"$ref": schema["$ref"]}, value, where)
        schema = {key: item for key, item in schema.items() if key != "$ref"}

    for branch in schema.get("allOf", []):
        errors += validate(spec, branch, value, where)
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            results = [validate(spec, branch, value, where) for branch in schema[keyword]]
            fits = sum(1 for result in results if not result)
            if fits == 0:
                best = min(results, key=len)
                errors.append("%s fits no branch of %s (closest: %s)" % (where, keyword, best[0]))
            elif keyword == "oneOf" and fits > 1:
                errors.append("%s fits %d branches of oneOf" % (where, fits))

    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(JSON_TYPES[name](value) for name in types):
            errors.append("%s is %s, not of type %s" % (where, json.dumps(value)[:60], types))
            return errors
    if "const" in schema and value != schema["const"]:
        errors.append("%s is %r, not the constant %r" % (where, value, schema["const"]))
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s is %r, not one of the listed values" % (where, value))

    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append("%s %r does not match %s" % (where, value, schema["pattern"]))
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append("%s is shorter than %d" % (where, schema["minLength"]))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append("%s is longer than %d" % (where, schema["maxLength"]))
    if JSON_TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append("%s is %r, below %r" % (where, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            errors.append("%s is %r, above %r" % (where, value, schema["maximum"]))
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errors.append("%s lacks the required field %r" % (where, name))
        for name, property_schema in (schema.get("properties") or {}).items():
            if name in value:
                errors += validate(spec, property_schema, value[name], "%s.%s" % (where, name))
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += validate(spec, schema["items"], item, "%s[%d]" % (where, index))
    return errors


def listed_response(responses, status):
    """The response listed for status: exact, then a range such as 4XX, then default."""
    for key in (str(status), "%dXX" % (status // 100), "default"):
        if key in responses:
            return key, responses[key]
    return None, None


def check_problem(spec, status, body, label):
    errors = validate(spec, {"$ref": "#/components/schemas/Problem"}, body, "body")
    if isinstance(body, dict):
        if body.get("status") != status:
            errors.append("body.status %r is not the HTTP status %d" % (body.get("status"), status))
        if "code" in body and body.get("type") != "urn:quorum:problem:" + str(body["code"]):
            errors.append("body.type %r does not name code %r" % (body.get("type"), body["code"]))
    return ["%s: %s" % (label, error) for error in errors]


def parse_json(text):
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def check_exchange(spec, exchange, covered, notes):
    method = str(exchange.get("method", "")).upper()
    path = str(exchange.get("path", ""))
    status = int(exchange.get("status", 0))
    headers = {str(k).lower(): str(v) for k, v in (exchange.get("headers") or {}).items()}
    body_text = exchange.get("body") or ""
    label = "%s %s -> %d" % (method, path, status)
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    is_problem = content_type == "application/problem+json"

    problems = []
    if is_problem:
        ok, body = parse_json(body_text)
        problems += check_problem(spec, status, body, label) if ok else [
            label + ": the problem+json body is not JSON"
        ]
    if "x-request-id" not in headers:
        problems.append(label + ": no X-Request-Id header")

    # A CORS preflight is answered before routing, on any path.
    if method == "OPTIONS":
        if status != 204:
            problems.append(label + ": a CORS preflight is documented to answer 204")
        return problems

    matched = spec.match(path)
    if matched is None:
        if status == 404 and is_problem:
            return problems
        return problems + [label + ": no path of the spec matches, and the answer is not a 404"]
    template, _, _, item = matched

    operation = item.get(method.lower())
    built = sorted(m.upper() for m in METHODS if m in item and not is_planned(item[m]))
    if operation is None or is_planned(operation):
        if operation is not None:
            notes.append("%s: %s %s is planned; not checked" % (label, method, template))
            return problems
        if not built:
            if status != 404:
                problems.append(label + ": no operation is built on %s, so 404 was due" % template)
        elif status != 405:
            problems.append(label + ": %s has no %s operation, so 405 was due" % (template, method))
        else:
            allowed = sorted(m.strip() for m in headers.get("allow", "").split(",") if m.strip())
            if allowed != built:
                problems.append(
                    "%s: Allow says %s but the spec's built methods are %s"
                    % (label, allowed, built)
                )
        return problems

    covered.add((method, template))
    operation_id = operation.get("operationId", method + " " + template)
    key, response = listed_response(operation.get("responses") or {}, status)
    if response is None:
        return problems + [
            "%s: status %d is not listed for %s (%s %s)"
            % (label, status, operation_id, method, template)
        ]
    response = spec.resolve(response)

    for name, header in (response.get("headers") or {}).items():
        header = spec.resolve(header)
        if header.get("required") and name.lower() not in headers:
            problems.append("%s: the required header %s is absent" % (label, name))

    content = response.get("content")
    if not content:
        if body_text:
            problems.append("%s: a body came, but %s lists no content" % (label, key))
        return problems
    if content_type not in content:
        return problems + [
            "%s: content type %r is not listed for %s (listed: %s)"
            % (label, content_type, key, ", ".join(content))
        ]
    schema = content[content_type].get("schema")
    if schema is None or not (content_type.endswith("json")):
        return problems
    ok, body = parse_json(body_text)
    if not ok:
        return problems + [label + ": the body is not JSON"]
    if not is_problem:
        problems += ["%s: %s" % (label, error) for error in validate(spec, schema, body, "body")]
    return problems


def check_responses(spec, log_path, require_coverage):
    problems = []
    notes = []
    covered = set()
    count = 0
    with open(log_path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                exchange = json.loads(line)
            except ValueError:
                problems.append("line %d of the log is not JSON" % number)
                continue
            count += 1
            problems += check_exchange(spec, exchange, covered, notes)

    if require_coverage:
        for template, method, operation in spec.operations():
            if not is_planned(operation) and (method, template) not in covered:
                problems.append("no exchange exercised the built operation %s %s"
                                % (method, template))

    for note in notes:
        print("openapi_check: note: " + note)
    for problem in problems:
        print("openapi_check: " + problem)
    print(
        "openapi_check responses: %d exchanges, %d operations covered, %d problems"
        % (count, len(covered), len(problems))
    )
    return not problems


def main(arguments):
    if len(arguments) >= 2 and arguments[0] == "routes":
        spec = Spec(arguments[1])
        source = arguments[2] if len(arguments) > 2 else "-"
        if source == "-":
            lines = sys.stdin.read().splitlines()
        else:
            with open(source, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        return 0 if check_routes(spec, lines) else 1
    if len(arguments) >= 3 and arguments[0] == "responses":
        spec = Spec(arguments[1])
        return 0 if check_responses(spec, arguments[2], "--require-coverage" in arguments) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
