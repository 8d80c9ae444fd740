import Foundation
import Precert

/// The OpenAPI 3.1 document served at `/openapi.json`. Its case, decision and error schemas are
/// the very JSON Schemas `precert schema` prints (each moved under `components/schemas`, with its
/// internal references rewritten to point there), so the service and the CLI cannot disagree; the
/// case schema is the serving set's case format's (an open object when it has none).
/// Written with sorted keys: the same bytes in every process.
enum OpenAPIDocument {
    /// The last document written, with the case format it describes: sets reload rarely.
    nonisolated(unsafe) private static var last: (format: CaseFormat?, bytes: [UInt8])?
    private static let lock = NSLock()

    /// The document for a set whose case format is `format`.
    static func bytes(caseFormat format: CaseFormat?) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let last, last.format == format { return last.bytes }
        let bytes = write(caseFormat: format)
        last = (format, bytes)
        return bytes
    }

    private static func write(caseFormat format: CaseFormat?) -> [UInt8] {
        var document = parse(template) as! [String: Any]
        var components = document["components"] as! [String: Any]
        var schemas = components["schemas"] as! [String: Any]
        schemas["Case"] = format.map { component(Schemas.case($0), name: "Case") }
            ?? ["description": "A case document; the serving set has no case format.", "type": "object"]
        schemas["Decision"] = component(Schemas.decision, name: "Decision")
        schemas["Error"] = component(Schemas.error, name: "Error")
        components["schemas"] = schemas
        document["components"] = components
        var info = document["info"] as! [String: Any]
        info["version"] = PrecertEngine.version
        document["info"] = info
        let data = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data)
    }

    private static func parse(_ text: String) -> Any {
        try! JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// A library schema as a component: without `$schema`/`$id`, with `#/…` references pointing into the component.
    private static func component(_ text: String, name: String) -> Any {
        func rewrite(_ value: Any) -> Any {
            if var object = value as? [String: Any] {
                object["$schema"] = nil
                object["$id"] = nil
                for (key, inner) in object {
                    if key == "$ref", let reference = inner as? String, reference.hasPrefix("#/") {
                        object[key] = "#/components/schemas/\(name)/" + reference.dropFirst(2)
                    } else {
                        object[key] = rewrite(inner)
                    }
                }
                return object
            }
            if let array = value as? [Any] { return array.map(rewrite) }
            return value
        }
        return rewrite(parse(text))
    }

    /// Everything but the three library schemas (filled in above) and the engine version.
    private static let template = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Precert decision service",
        "version": "",
        "description": "Prior-authorization decisions from policy-as-data. Decisions and errors follow the same JSON contract as `precert eval --format json` (`engine.contract` in each decision).",
        "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}
      },
      "paths": {
        "/v1/decisions": {"post": {
          "operationId": "decide",
          "summary": "Evaluate one case",
          "security": [{}, {"bearer": []}],
          "parameters": [
            {"$ref": "#/components/parameters/policy"}, {"$ref": "#/components/parameters/as_of"}, {"$ref": "#/components/parameters/explain"}
          ],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}},
          "responses": {
            "200": {"description": "The decision.",
                    "headers": {"Precert-Decision-Id": {"$ref": "#/components/headers/DecisionId"}, "Precert-Policy-Set": {"$ref": "#/components/headers/PolicySet"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Decision"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "404": {"description": "No policy for the case's payer (or the `policy` given), or none in force on its date; the hint lists the versions that exist.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "408": {"description": "The body did not arrive within the read timeout.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "413": {"$ref": "#/components/responses/TooLarge"},
            "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
            "422": {"description": "A case that cannot be evaluated: a field of the wrong type, a value out of range.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "503": {"$ref": "#/components/responses/Unavailable"}
          }
        }},
        "/v1/decisions/batch": {"post": {
          "operationId": "decideBatch",
          "summary": "Evaluate cases as JSON Lines, answered in input order as they arrive",
          "description": "One case per line in; one line per input line out: the decision, or an error document with its `line`. The body may also be declared as `application/jsonl`, `application/json-lines` or `application/json`.",
          "security": [{}, {"bearer": []}],
          "parameters": [
            {"$ref": "#/components/parameters/policy"}, {"$ref": "#/components/parameters/as_of"}, {"$ref": "#/components/parameters/explain"}
          ],
          "requestBody": {"required": true, "content": {"application/x-ndjson": {"schema": {"type": "string"}}, "text/plain": {"schema": {"type": "string"}}}},
          "responses": {
            "200": {"description": "One JSON document per input line.",
                    "headers": {"Precert-Decision-Id": {"$ref": "#/components/headers/DecisionId"}, "Precert-Policy-Set": {"$ref": "#/components/headers/PolicySet"}},
                    "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "413": {"$ref": "#/components/responses/TooLarge"},
            "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
            "503": {"$ref": "#/components/responses/Unavailable"}
          }
        }},
        "/v1/policies": {"get": {
          "operationId": "listPolicies",
          "summary": "The loaded policies and their versions",
          "security": [{}, {"bearer": []}],
          "responses": {
            "200": {"description": "Every policy.", "headers": {"Precert-Policy-Set": {"$ref": "#/components/headers/PolicySet"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyList"}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "503": {"$ref": "#/components/responses/Unavailable"}
          }
        }},
        "/v1/policies/{id}": {"get": {
          "operationId": "showPolicy",
          "summary": "One policy and its versions",
          "security": [{}, {"bearer": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"},
                          "examples": {"kaiser": {"value": "kaiser-norcal/behavioral-health"}},
                          "description": "The policy id, such as `kaiser-norcal/behavioral-health` (its `/` sent as is or as `%2F`)."}],
          "responses": {
            "200": {"description": "The policy.", "headers": {"Precert-Policy-Set": {"$ref": "#/components/headers/PolicySet"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Policy"}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "404": {"description": "No such policy.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "503": {"$ref": "#/components/responses/Unavailable"}
          }
        }},
        "/healthz": {"get": {
          "operationId": "health", "summary": "Alive",
          "responses": {"200": {"description": "The process is up.", "content": {"application/json": {"schema": {
            "type": "object", "required": ["status"], "additionalProperties": false, "properties": {"status": {"const": "alive"}}}}}}}
        }},
        "/readyz": {"get": {
          "operationId": "ready", "summary": "Ready once a policy set without errors is loaded",
          "responses": {
            "200": {"description": "Ready; names the serving set.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}},
            "503": {"description": "Not ready; says why.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}}
          }
        }},
        "/metrics": {"get": {
          "operationId": "metrics", "summary": "Prometheus metrics",
          "responses": {"200": {"description": "The Prometheus text exposition format.", "content": {"text/plain": {"schema": {"type": "string"}}}}}
        }},
        "/cds-services": {"get": {
          "operationId": "cdsDiscovery",
          "summary": "CDS Hooks discovery (Da Vinci CRD): one service per hook the CRD mapping offers",
          "description": "Lists no service when the policy folders hold no CRD mapping. See docs/CRD.md.",
          "security": [{}, {"cdsClientJWT": []}],
          "responses": {
            "200": {"description": "The discovery document.", "content": {"application/json": {"schema": {"type": "object", "required": ["services"]}}}},
            "401": {"$ref": "#/components/responses/CDSUnauthorized"},
            "503": {"$ref": "#/components/responses/CDSOutcome"}
          }
        }},
        "/cds-services/{id}": {"post": {
          "operationId": "cdsCall",
          "summary": "A CDS Hooks call: coverage information for each order as a system action, and cards",
          "security": [{}, {"cdsClientJWT": []}],
          "parameters": [{"$ref": "#/components/parameters/cdsService"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["hook", "hookInstance", "context"]}}}},
          "responses": {
            "200": {"description": "`cards` and `systemActions`; a not-covered answer is a 200 too.",
                    "headers": {"Precert-Policy-Set": {"$ref": "#/components/headers/PolicySet"}},
                    "content": {"application/json": {"schema": {"type": "object", "required": ["cards"]}}}},
            "400": {"$ref": "#/components/responses/CDSOutcome"},
            "401": {"$ref": "#/components/responses/CDSUnauthorized"},
            "404": {"$ref": "#/components/responses/CDSOutcome"},
            "412": {"$ref": "#/components/responses/CDSOutcome"},
            "413": {"$ref": "#/components/responses/CDSOutcome"},
            "415": {"$ref": "#/components/responses/CDSOutcome"},
            "503": {"$ref": "#/components/responses/CDSOutcome"}
          }
        }},
        "/cds-services/{id}/feedback": {"post": {
          "operationId": "cdsFeedback",
          "summary": "CDS Hooks feedback on cards: accepted and logged (card ids and outcomes only)",
          "security": [{}, {"cdsClientJWT": []}],
          "parameters": [{"$ref": "#/components/parameters/cdsService"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["feedback"]}}}},
          "responses": {
            "200": {"description": "Accepted; no body."},
            "400": {"$ref": "#/components/responses/CDSOutcome"},
            "401": {"$ref": "#/components/responses/CDSUnauthorized"},
            "404": {"$ref": "#/components/responses/CDSOutcome"},
            "413": {"$ref": "#/components/responses/CDSOutcome"},
            "415": {"$ref": "#/components/responses/CDSOutcome"}
          }
        }},
        "/openapi.json": {"get": {
          "operationId": "openapi", "summary": "This document",
          "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}}
        }}
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "Required on `/v1/*` when the service is started with `--tokens-file`."},
                            "cdsClientJWT": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                             "description": "A CDS client's JWT (RS384 or ES384, `aud` the URL called), required on `/cds-services*` unless `--crd-auth off`."}},
        "parameters": {
          "policy": {"name": "policy", "in": "query", "required": false, "schema": {"type": "string", "minLength": 1},
                     "description": "Evaluate against this policy id instead of choosing by the case's `payer`."},
          "as_of": {"name": "as_of", "in": "query", "required": false, "schema": {"type": "string", "format": "date"},
                    "description": "Choose the version in force on this date (YYYY-MM-DD) instead of the date the request was received."},
          "explain": {"name": "explain", "in": "query", "required": false, "schema": {"type": "boolean"},
                      "description": "Record the path taken through each decision's diagram (`trace`)."},
          "cdsService": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"},
                         "examples": {"orderSign": {"value": "precert-order-sign"}},
                         "description": "A CDS service id from the discovery document."}
        },
        "headers": {
          "DecisionId": {"description": "The decision's (or batch's) id in the audit trail.", "schema": {"type": "string"}},
          "PolicySet": {"description": "The digest of the policy set that answered.", "schema": {"type": "string"}}
        },
        "responses": {
          "CDSOutcome": {"description": "A CDS Hooks call refused, with CRD's status: a FHIR OperationOutcome.",
                         "content": {"application/json": {"schema": {"type": "object", "required": ["resourceType", "issue"]}}}},
          "CDSUnauthorized": {"description": "The CDS client's JWT was missing or not accepted.",
                              "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                              "content": {"application/json": {"schema": {"type": "object", "required": ["resourceType", "issue"]}}}},
          "BadRequest": {"description": "Malformed JSON or a bad query parameter.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unauthorized": {"description": "A bearer token is required and was missing or not accepted.",
                           "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TooLarge": {"description": "The body is larger than the limit.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "UnsupportedMediaType": {"description": "The body's declared media type is not accepted.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unavailable": {"description": "No policy set is loaded, the payer's policy did not load, or too many requests are in flight (see `Retry-After`).",
                          "headers": {"Retry-After": {"schema": {"type": "string"}}},
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Policy": {
            "type": "object", "required": ["id", "payer", "versions"],
            "properties": {"id": {"type": "string"}, "payer": {"type": "string"}, "versions": {"type": "array", "items": {"$ref": "#/components/schemas/PolicyVersion"}}}
          },
          "PolicyVersion": {
            "type": "object",
            "required": ["title", "effective", "expires", "digest", "file", "time_zone", "calendar", "decisions", "inputs"],
            "properties": {
              "title": {"type": "string"},
              "effective": {"type": "string", "format": "date"},
              "expires": {"type": ["string", "null"], "format": "date"},
              "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
              "file": {"type": "string"},
              "time_zone": {"type": "string"},
              "calendar": {"type": "string"},
              "decisions": {"type": "array", "items": {
                "type": "object", "required": ["name", "hit", "outcomes"],
                "properties": {"name": {"type": "string"}, "hit": {"enum": ["first", "all", "unique"]},
                               "outcomes": {"type": "array", "items": {"type": "string"}}}}},
              "inputs": {"type": "array", "items": {
                "type": "object", "required": ["path", "type", "has_default"],
                "properties": {"path": {"type": "string"}, "type": {"type": "string"}, "has_default": {"type": "boolean"}}}}
            }
          },
          "PolicyList": {
            "type": "object", "required": ["policy_set", "policies"],
            "properties": {"policy_set": {"type": "string"}, "policies": {"type": "array", "items": {"$ref": "#/components/schemas/Policy"}}}
          },
          "Readiness": {
            "type": "object", "required": ["status"],
            "properties": {
              "status": {"enum": ["ready", "not_ready"]},
              "reason": {"type": "string"},
              "policy_set": {"type": "string"},
              "policies": {"type": "integer"},
              "manifest_verified": {"type": "boolean", "description": "Whether the set matched its `precert.manifest.json`."},
              "revision": {"type": ["string", "null"], "description": "The manifest's `revision`, if any."},
              "loaded_at": {"type": ["string", "null"]},
              "refused": {"type": "string", "description": "The policy files on disk were refused; the previous set keeps serving."}
            }
          }
        }
      }
    }
    """#
}
