/// JSON Schemas (draft 2020-12) for the three documents Precert reads and writes: policy files,
/// case documents and decisions. `precert schema <kind>` prints them.
///
/// They are written out as text rather than generated so that a reviewer reads exactly what an
/// editor receives. Only keywords that draft-07 editors also understand are used (`$defs` is only
/// a place `$ref` points into), so the YAML and JSON language servers in common editors can
/// complete, hover and validate with them. `SchemaTests` keeps them in step with `PolicyDecoder`,
/// `CASE.md` and `DecisionEncoder`.
public enum Schemas {
    /// The schema of a policy file (format 1), mirroring what `PolicyDecoder` accepts.
    ///
    /// YAML is seen the way a YAML 1.2 editor sees it: `precert: 1` is the number 1, an unquoted
    /// `2026-05-20` or `72 hours` is a string, and an unquoted `90837` is a number. Precert reads
    /// every scalar as text, so text positions accept numbers and booleans too; the schema only
    /// rejects what Precert rejects. Names, types and outcome words are the checker's business
    /// (`precert check`), not the schema's.
    public static let policy: String = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://precert.dev/schema/policy-1.json",
          "title": "Precert policy (format 1)",
          "description": "One payer's prior-authorization rules, one version. Precert reads it with `precert check` and evaluates cases against it. Reference: docs/LANGUAGE.md.",
          "type": "object",
          "required": ["precert", "policy", "payer", "title", "effective", "sources", "timezone", "calendar", "decisions"],
          "additionalProperties": false,
          "properties": {
            "precert": {
              "description": "The policy format version. Write the plain number `precert: 1` (not \"1\").",
              "const": 1
            },
            "policy": {
              "description": "The policy's id, `payer/name` (e.g. `kaiser-norcal/behavioral-health`). Versions of one policy share the id and differ in `effective`.",
              "$ref": "#/$defs/text"
            },
            "payer": {
              "description": "The payer id that a case names in its `payer` field (e.g. `kaiser-norcal`); it selects this policy.",
              "$ref": "#/$defs/text"
            },
            "title": {
              "description": "A title for people.",
              "$ref": "#/$defs/text"
            },
            "description": {
              "description": "A longer description for people.",
              "$ref": "#/$defs/text"
            },
            "effective": {
              "description": "The first day this version is in force, YYYY-MM-DD. A case is evaluated against the version in force on the date it was received (or `--as-of`).",
              "$ref": "#/$defs/date"
            },
            "expires": {
              "description": "The first day this version is no longer in force, YYYY-MM-DD; must be after `effective`. Leave it out when the version does not end.",
              "$ref": "#/$defs/date"
            },
            "sources": {
              "description": "The documents this policy encodes: one text or a list of texts.",
              "$ref": "#/$defs/texts"
            },
            "timezone": {
              "description": "The payer's IANA time zone, written exactly (e.g. `America/Los_Angeles`, `UTC`); due dates are computed in it. Abbreviations such as `PST` and offsets such as `GMT-8` are refused.",
              "$ref": "#/$defs/text"
            },
            "calendar": {
              "description": "The name of the holiday calendar business days skip (the `calendar:` key of a file under Policies/calendars/, e.g. `us-federal`).",
              "$ref": "#/$defs/text"
            },
            "governs": {
              "description": "What the policy applies to, so that `precert check` proves its turnaround clock against the regulations under Policies/regulations/ that govern the same plans and states, and answers show their due dates.",
              "type": "object",
              "required": ["plans"],
              "additionalProperties": false,
              "properties": {
                "plans": {
                  "description": "The `member.plan` values the policy applies to.",
                  "oneOf": [
                    { "$ref": "#/$defs/planType" },
                    { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/planType" } }
                  ]
                },
                "states": {
                  "description": "The two-letter states it applies to; absent for every state.",
                  "oneOf": [
                    { "$ref": "#/$defs/state" },
                    { "type": "array", "items": { "$ref": "#/$defs/state" } }
                  ]
                },
                "turnaround": {
                  "description": "The duration decision that is the authorization turnaround; by default the only one counted from `request.received_at`.",
                  "$ref": "#/$defs/text"
                },
                "urgency": {
                  "description": "The enum input whose values (`standard`, `urgent` or `expedited`) tell the request kind; by default `request.urgency`.",
                  "$ref": "#/$defs/text"
                }
              }
            },
            "inputs": {
              "description": "The case fields this policy reads: each key is a dotted path into the case JSON (`service.date` reads {\"service\": {\"date\": ...}}), each value its type. Fields not declared here are never read.",
              "type": ["object", "null"],
              "patternProperties": {
                "^[^.]+(\\.[^.]+)*$": { "$ref": "#/$defs/input" }
              },
              "additionalProperties": false
            },
            "sets": {
              "description": "Named code sets, used after `in` / `not in`. A member ending in `*` matches by prefix (`F32*` covers F32, F32.9, ...). Quote numeric codes (\"90837\").",
              "type": ["object", "null"],
              "additionalProperties": {
                "description": "The set's members: codes, or prefix patterns ending in one `*`.",
                "$ref": "#/$defs/texts"
              }
            },
            "conditions": {
              "description": "Named true-or-false conditions that rules can use by name.",
              "type": ["object", "null"],
              "additionalProperties": {
                "description": "The condition's expression (e.g. `payment.method == cash`).",
                "$ref": "#/$defs/expression"
              }
            },
            "decisions": {
              "description": "What the policy answers: each key is a decision's name (e.g. `authorization`), each value its outcomes, hit policy and rules. A decision may read another decision's answer by name.",
              "type": "object",
              "additionalProperties": { "$ref": "#/$defs/decision" }
            }
          },
          "$defs": {
            "planType": {
              "description": "A value of the case format's `member.plan`.",
              "enum": ["commercial", "medicare_advantage", "medicaid", "medicare", "exchange"]
            },
            "state": {
              "description": "A two-letter state, as the case format's `member.state` writes it (`CA`).",
              "type": "string",
              "pattern": "^[A-Z]{2}$"
            },
            "text": {
              "description": "Text. Precert reads any YAML scalar as text, so an unquoted number or true/false is its text.",
              "type": ["string", "number", "boolean"]
            },
            "texts": {
              "description": "One text, or a list of texts.",
              "anyOf": [
                { "$ref": "#/$defs/text" },
                { "type": "array", "items": { "$ref": "#/$defs/text" } }
              ]
            },
            "expression": {
              "description": "A true-or-false expression: `==  !=  <  <=  >  >=  in  not in  and  or  not`, parentheses, `any(list, pred)`, `all(list, pred)`, `len(x)`, `has(input)`, date arithmetic with durations. Quote it in YAML when it starts with a quote, `[` or `{`, or contains `: ` or ` #`.",
              "type": ["string", "boolean"]
            },
            "date": {
              "description": "A calendar date, YYYY-MM-DD.",
              "type": "string",
              "format": "date",
              "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
            },
            "duration": {
              "description": "A clock length: a whole number and a unit, such as `72 hours`, `3 business days`, `14 calendar days`, `1 month`.",
              "type": "string",
              "pattern": "^ *(0|[1-9][0-9]{0,5}) +(hours?|days?|calendar +days?|business +days?|months?|years?) *$"
            },
            "inputType": {
              "description": "The input's type: bool, number, string, code, date, datetime, duration, or list<T> / set<T> of one of those (no lists of lists; for a list of words use set<string>).",
              "anyOf": [
                {
                  "enum": ["bool", "boolean", "number", "string", "text", "code", "date", "datetime", "duration",
                    "list<code>", "list<string>", "set<string>", "set<code>"]
                },
                {
                  "type": "string",
                  "pattern": "^ *((bool|boolean|number|string|text|code|date|datetime|duration)|(list|set) *< *(bool|boolean|number|string|text|code|date|datetime|duration) *>) *$"
                }
              ]
            },
            "defaultValue": {
              "description": "A value written in the input's own type: an enum word, true/false for a bool, YYYY-MM-DD for a date, an RFC 3339 date-time with an offset for a datetime, a list such as [] for a list or set. To have no default, leave `default` out (an empty or null default is not 'no default').",
              "type": ["string", "number", "boolean", "array"],
              "items": { "$ref": "#/$defs/defaultValue" }
            },
            "input": {
              "description": "A case field the policy reads: exactly one of `type` and `enum`, and optionally a `default` and a `description`.",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "type": {
                  "description": "The field's type: bool, number, string, code, date, datetime, duration, list<T> or set<T>.",
                  "$ref": "#/$defs/inputType"
                },
                "enum": {
                  "description": "The words the field may hold (e.g. [insurance, cash]); the field is one of them. Each word once.",
                  "anyOf": [
                    { "$ref": "#/$defs/text" },
                    { "type": "array", "items": { "$ref": "#/$defs/text" }, "minItems": 1, "uniqueItems": true }
                  ]
                },
                "default": {
                  "description": "The value used when the case leaves the field out or sets it to null. Without one, an absent field is unknown and an answer it could change is `needs_information`.",
                  "$ref": "#/$defs/defaultValue"
                },
                "description": {
                  "description": "What the field means, for people.",
                  "$ref": "#/$defs/text"
                },
                "extension": {
                  "description": "Why the policy reads a field the case format (`case-format.yaml`) does not have; without it, such a path is an error.",
                  "$ref": "#/$defs/text"
                }
              },
              "oneOf": [
                { "required": ["type"] },
                { "required": ["enum"] }
              ]
            },
            "decision": {
              "description": "One decision: its outcomes (or `type: duration`), how matching rules combine, and its rules in order.",
              "type": "object",
              "required": ["rules"],
              "additionalProperties": false,
              "properties": {
                "description": {
                  "description": "What the decision answers, for people.",
                  "$ref": "#/$defs/text"
                },
                "label": {
                  "description": "The decision in plain words for people (`Who starts the request`). The text answer shows a policy's labelled decisions at a glance; a policy that labels none shows them all.",
                  "$ref": "#/$defs/text"
                },
                "outcomes": {
                  "description": "The answers this decision may give: a list of words, or a mapping from each word to a message shown with it (e.g. the fix for a denial reason; leave the message empty for none) or to `{label, message}`, where `label` is the outcome in plain words for people (`Not covered`); answers in JSON keep the word. Each word once. Required unless `type: duration`.",
                  "anyOf": [
                    { "$ref": "#/$defs/text" },
                    { "type": "array", "items": { "$ref": "#/$defs/text" }, "uniqueItems": true },
                    {
                      "type": "object",
                      "additionalProperties": {
                        "anyOf": [
                          {
                            "description": "The message shown with this outcome; empty for none.",
                            "type": ["string", "number", "boolean", "null"]
                          },
                          {
                            "type": "object",
                            "additionalProperties": false,
                            "properties": {
                              "label": { "description": "The outcome in plain words for people.", "$ref": "#/$defs/text" },
                              "message": { "description": "The message shown with this outcome.", "$ref": "#/$defs/text" }
                            }
                          }
                        ]
                      }
                    }
                  ]
                },
                "type": {
                  "description": "Only `duration`: the answers are clock lengths (`72 hours`, `3 business days`) and a due date is computed from `due_from`. Such a decision has no `outcomes`.",
                  "const": "duration"
                },
                "due_from": {
                  "description": "For `type: duration`: the declared datetime input the clock starts from (e.g. `request.received_at`).",
                  "$ref": "#/$defs/text"
                },
                "hit": {
                  "description": "How matching rules combine: `first` (the first matching rule answers; the default), `all` (every matching rule adds its outcome; no `default`), `unique` (at most one rule may match).",
                  "enum": ["first", "all", "unique"],
                  "default": "first"
                },
                "applies_when": {
                  "description": "When the decision applies at all; when false its status is `not_applicable`.",
                  "$ref": "#/$defs/expression"
                },
                "rules": {
                  "description": "The rules, in order.",
                  "type": ["array", "null"],
                  "items": { "$ref": "#/$defs/rule" }
                },
                "default": {
                  "description": "The answer when no rule matches (for `first` and `unique`): an outcome word or duration, or {then, because, sources, next_step}. Reported as the rule `default`.",
                  "anyOf": [
                    { "$ref": "#/$defs/text" },
                    { "$ref": "#/$defs/defaultAnswer" }
                  ]
                }
              },
              "allOf": [
                {
                  "if": { "required": ["type"] },
                  "then": {
                    "required": ["due_from"],
                    "properties": {
                      "outcomes": false,
                      "rules": { "items": { "properties": { "then": { "$ref": "#/$defs/duration" } } } },
                      "default": {
                        "anyOf": [
                          { "$ref": "#/$defs/duration" },
                          { "type": "object", "properties": { "then": { "$ref": "#/$defs/duration" } } }
                        ]
                      }
                    }
                  },
                  "else": {
                    "required": ["outcomes"],
                    "properties": { "due_from": false }
                  }
                },
                {
                  "if": { "required": ["hit"], "properties": { "hit": { "const": "all" } } },
                  "then": { "properties": { "default": false } }
                }
              ]
            },
            "rule": {
              "description": "One rule: when it applies, what it answers, and why.",
              "type": "object",
              "required": ["id", "then"],
              "additionalProperties": false,
              "properties": {
                "id": {
                  "description": "A short name, unique in the whole policy; answers cite it.",
                  "$ref": "#/$defs/text"
                },
                "when": {
                  "description": "A true-or-false expression; left out, the rule always matches.",
                  "$ref": "#/$defs/expression"
                },
                "then": {
                  "description": "The answer: one of the decision's outcome words, or for a duration decision a duration such as `72 hours`.",
                  "$ref": "#/$defs/text"
                },
                "because": {
                  "description": "Why, in plain words; shown with the answer.",
                  "$ref": "#/$defs/text"
                },
                "sources": {
                  "description": "The documents this rule encodes: one text or a list of texts.",
                  "$ref": "#/$defs/texts"
                },
                "next_step": {
                  "description": "An instruction for the provider or member when this rule answers; `{input.path}` is replaced by the case's value of a declared input, and `{decision}` by what that decision answered (its outcomes' messages, each once across the steps, else their labels); a step whose `{decision}` placeholders give nothing new is left out. Quote it in YAML when it starts with `{`.",
                  "$ref": "#/$defs/text"
                }
              }
            },
            "defaultAnswer": {
              "description": "The answer when no rule matches, with an explanation.",
              "type": "object",
              "required": ["then"],
              "additionalProperties": false,
              "properties": {
                "then": {
                  "description": "The outcome word, or for a duration decision a duration.",
                  "$ref": "#/$defs/text"
                },
                "because": {
                  "description": "Why, in plain words; shown with the answer.",
                  "$ref": "#/$defs/text"
                },
                "sources": {
                  "description": "The documents this default encodes: one text or a list of texts.",
                  "$ref": "#/$defs/texts"
                },
                "next_step": {
                  "description": "An instruction for the provider or member, with `{input.path}` and `{decision}` placeholders.",
                  "$ref": "#/$defs/text"
                }
              }
            }
          }
        }
        """#

    /// The schema of a decision as `DecisionEncoder` writes it (contract 1).
    ///
    /// Closed at every level: the decision is a stable contract, so a field that appears without a
    /// schema change is a bug, and a caller validating against this schema should notice.
    public static let decision: String = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://precert.dev/schema/decision-3.json",
          "title": "Precert decision (contract 3)",
          "description": "Everything Precert answers for one case against one policy version, with the rule behind every answer. Field names are a stable contract; `engine.contract` changes when they do.",
          "type": "object",
          "required": ["case_id", "policy", "engine", "decisions", "next_steps", "provenance"],
          "additionalProperties": false,
          "properties": {
            "case_id": {
              "description": "The case's `case_id`, echoed; null when the case has none.",
              "type": ["string", "null"]
            },
            "policy": {
              "description": "The policy version the case was evaluated against.",
              "type": "object",
              "required": ["id", "payer", "effective", "digest"],
              "additionalProperties": false,
              "properties": {
                "id": {
                  "description": "The policy id (e.g. `kaiser-norcal/behavioral-health`).",
                  "type": "string"
                },
                "payer": {
                  "description": "The payer id.",
                  "type": "string"
                },
                "effective": {
                  "description": "The first day this policy version is in force, YYYY-MM-DD.",
                  "type": "string",
                  "format": "date",
                  "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
                },
                "digest": {
                  "description": "The SHA-256 of the policy file's bytes, so an answer can be tied to the exact text that produced it.",
                  "type": "string",
                  "pattern": "^sha256:[0-9a-f]{64}$"
                }
              }
            },
            "engine": {
              "description": "The program that produced the decision.",
              "type": "object",
              "required": ["name", "version", "contract"],
              "additionalProperties": false,
              "properties": {
                "name": {
                  "description": "Always `precert`.",
                  "const": "precert"
                },
                "version": {
                  "description": "The engine's semantic version.",
                  "type": "string",
                  "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?$"
                },
                "contract": {
                  "description": "The version of this decision format (and of the error document, `precert schema error`). Contract 3 gives each answering rule as an object with its `sources`, and `--explain` trace values with their JSON types.",
                  "const": 3
                }
              }
            },
            "decisions": {
              "description": "Every decision of the policy by name, in the order the policy declares them.",
              "type": "object",
              "additionalProperties": { "$ref": "#/$defs/decision" }
            },
            "next_steps": {
              "description": "Ordered instructions for the provider or member, from the rules that answered, placeholders filled in.",
              "type": "array",
              "items": { "type": "string" }
            },
            "provenance": {
              "description": "Everything besides the case that shaped the answer, so the answer can be traced to the exact files and data behind it; the same case gives the same bytes however the service was deployed.",
              "type": "object",
              "required": ["digest", "policy_file", "calendar", "time_zone", "tzdata", "version_date", "version_date_from"],
              "additionalProperties": false,
              "properties": {
                "digest": {
                  "description": "The SHA-256 over the policy file, its holiday calendar file, the time-zone data version and the files of the regulations that govern the policy: it changes whenever anything that shaped the answer does.",
                  "type": "string",
                  "pattern": "^sha256:[0-9a-f]{64}$"
                },
                "policy_file": {
                  "description": "The policy file, relative to the policies root it was loaded from.",
                  "type": "string"
                },
                "calendar": {
                  "description": "The holiday calendar business days were counted on.",
                  "type": "object",
                  "required": ["name", "digest"],
                  "additionalProperties": false,
                  "properties": {
                    "name": { "description": "The calendar's name.", "type": "string" },
                    "digest": {
                      "description": "The SHA-256 of the calendar file's bytes.",
                      "type": "string",
                      "pattern": "^sha256:[0-9a-f]{64}$"
                    }
                  }
                },
                "regulations": {
                  "description": "The regulations that govern the policy version (Policies/regulations/), whose limits the turnaround's `regulatory` due dates come from; absent when none does.",
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["id", "digest"],
                    "additionalProperties": false,
                    "properties": {
                      "id": { "description": "The regulation's id.", "type": "string" },
                      "digest": { "description": "The SHA-256 of the regulation file's bytes.", "type": "string", "pattern": "^sha256:[0-9a-f]{64}$" }
                    }
                  }
                },
                "time_zone": {
                  "description": "The policy's IANA time zone, in which due dates are computed.",
                  "type": "string"
                },
                "tzdata": {
                  "description": "The version of the time-zone data used (such as `2025b`).",
                  "type": "string"
                },
                "version_date": {
                  "description": "The date that chose the policy version, YYYY-MM-DD.",
                  "type": "string",
                  "format": "date",
                  "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
                },
                "version_date_from": {
                  "description": "Where `version_date` came from: the local date of `request.received_at`, the caller's `as_of` (`--as-of`), or the day of evaluation when the case gives neither.",
                  "enum": ["received_at", "as_of", "today"]
                }
              }
            }
          },
          "$defs": {
            "decision": {
              "description": "The answer to one decision. `outcome`, `due`, `rules`, `because`, `source` and `messages` appear only when `decided`; `missing` and `possible` only when `needs_information`.",
              "type": "object",
              "required": ["status"],
              "additionalProperties": false,
              "properties": {
                "status": {
                  "description": "`decided` (answered), `needs_information` (an unknown input could change the answer; see `missing`), `not_applicable` (the decision's `applies_when` is false), `no_match` (no rule matched and the decision has no default).",
                  "enum": ["decided", "needs_information", "not_applicable", "no_match"]
                },
                "outcome": {
                  "description": "The answer: one outcome word for hit policies `first` and `unique`, or a duration's text (`3 business days`) for a duration decision; a list of outcome words, possibly empty, for hit policy `all`.",
                  "type": ["string", "array"],
                  "items": { "type": "string" }
                },
                "due": {
                  "description": "For a duration decision, when the clock runs out: an RFC 3339 date-time with the offset of the policy's time zone.",
                  "type": "string",
                  "format": "date-time",
                  "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?[+-]([01][0-9]|2[0-3]):[0-5][0-9]$"
                },
                "regulatory": {
                  "description": "For the authorization turnaround of a case whose plan, state and request kind are known: each regulation that governs it (Policies/regulations/), with its limit and when it runs out, by regulation id.",
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["regulation", "citation", "limit", "due", "binding"],
                    "additionalProperties": false,
                    "properties": {
                      "regulation": { "description": "The regulation's id (`cms-0057-f`).", "type": "string" },
                      "citation": { "description": "Where a reader looks it up.", "type": "string" },
                      "limit": { "description": "The regulation's limit for this request's kind (`7 calendar days`).", "type": "string" },
                      "due": {
                        "description": "When the limit runs out, counted as the payer's clock is, in the policy's time zone.",
                        "type": "string",
                        "format": "date-time"
                      },
                      "binding": { "description": "Whether this limit ends before the payer's clock and every other limit, so it is the deadline that binds.", "type": "boolean" }
                    }
                  }
                },
                "rules": {
                  "description": "The rules that answered, in order (`default` for the decision's default).",
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["id", "sources", "source"],
                    "additionalProperties": false,
                    "properties": {
                      "id": { "description": "The rule's id.", "type": "string" },
                      "because": { "description": "Why, from the policy; absent when the rule gives no reason.", "type": "string" },
                      "sources": {
                        "description": "The documents the rule encodes, as the policy cites them (empty when it cites none).",
                        "type": "array",
                        "items": { "type": "string" }
                      },
                      "source": { "description": "Where the rule is written, `file:line`.", "type": "string", "pattern": "^.+:[0-9]+$" }
                    }
                  }
                },
                "messages": {
                  "description": "The policy's message for each outcome given that has one (e.g. the fix for a denial reason), by outcome word.",
                  "type": "object",
                  "additionalProperties": { "type": "string" }
                },
                "missing": {
                  "description": "For `needs_information`: the input paths whose values would settle the answer.",
                  "type": "array",
                  "items": { "type": "string" }
                },
                "possible": {
                  "description": "For `needs_information`: the outcomes still possible.",
                  "type": "array",
                  "items": { "type": "string" }
                },
                "trace": {
                  "description": "With --explain: the path taken through the decision diagram, one step per input tested.",
                  "type": "array",
                  "items": {
                    "description": "One test on the path and the value the case gave it.",
                    "type": "object",
                    "required": ["test", "value"],
                    "additionalProperties": false,
                    "properties": {
                      "test": {
                        "description": "What was tested, in the policy's words (`provider.network`, `len(clinical_notes) < 50`).",
                        "type": "string"
                      },
                      "value": {
                        "description": "The value the case gave it, with its JSON type: a boolean for a condition or a true/false input, a number for a number, a string for an enum word, a date or a date-time; null when unknown.",
                        "type": ["string", "number", "boolean", "null"]
                      }
                    }
                  }
                }
              },
              "allOf": [
                {
                  "if": { "required": ["status"], "properties": { "status": { "const": "decided" } } },
                  "then": { "required": ["outcome", "rules"] },
                  "else": {
                    "properties": {
                      "outcome": false, "due": false, "regulatory": false, "rules": false, "messages": false
                    }
                  }
                },
                {
                  "if": { "required": ["status"], "properties": { "status": { "const": "needs_information" } } },
                  "then": { "required": ["missing", "possible"] },
                  "else": { "properties": { "missing": false, "possible": false } }
                }
              ]
            }
          }
        }
        """#

    /// The error document: what Precert writes instead of a decision for a case that cannot be
    /// evaluated (`eval --format json`, each failed line of `eval --jsonl`), and for policy
    /// diagnostics (`check --format json`).
    public static let error: String = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://precert.dev/schema/error-3.json",
          "title": "Precert error document (contract 3)",
          "description": "The problems that stopped a case from being evaluated, or the diagnostics of policy files. Every error object has the same shape wherever it is written; tools match on `id`, never on `message`.",
          "type": "object",
          "required": ["errors"],
          "additionalProperties": false,
          "properties": {
            "line": {
              "description": "In JSON Lines output, the input line (from 1) this document answers; every input line, a blank one included, gets one output line.",
              "type": "integer"
            },
            "case_id": {
              "description": "The case's `case_id` when it could be read, else null; absent for policy diagnostics.",
              "type": ["string", "null"]
            },
            "fault": {
              "description": "Whose problem it is: `case` (fix the request; exit 1, HTTP 4xx) or `deployment` (no policies loaded, the payer's policy did not load, or none of its versions in force; exit 3). Absent for policy diagnostics.",
              "enum": ["case", "deployment"]
            },
            "errors": {
              "description": "Every problem found, in order.",
              "type": "array",
              "items": { "$ref": "#/$defs/error" }
            }
          },
          "$defs": {
            "location": {
              "description": "A place in a file: 1-based line and column (Unicode scalars), start and end.",
              "type": "object",
              "required": ["file", "line", "column", "end_line", "end_column"],
              "additionalProperties": false,
              "properties": {
                "file": { "description": "The file, as it was given (policy diagnostics) or the case's name.", "type": "string" },
                "line": { "description": "The line where the problem starts, from 1.", "type": "integer" },
                "column": { "description": "The column where it starts, from 1.", "type": "integer" },
                "end_line": { "description": "The line where it ends.", "type": "integer" },
                "end_column": { "description": "The column where it ends.", "type": "integer" }
              }
            },
            "error": {
              "description": "One problem.",
              "type": "object",
              "required": ["id", "severity", "message"],
              "additionalProperties": false,
              "properties": {
                "id": {
                  "description": "The stable id of this kind of problem (`case.type`, `catalog.unknown-payer`, `name.unknown`).",
                  "type": "string",
                  "pattern": "^[a-z0-9-]+(\\.[a-z0-9-]+)+$"
                },
                "severity": { "description": "`error` (the input cannot be used), `warning` or `note`.", "enum": ["error", "warning", "note"] },
                "message": { "description": "For people: lowercase, user input in backticks; may be reworded.", "type": "string" },
                "hint": { "description": "How to fix it.", "type": "string" },
                "path": { "description": "For a problem in a case, the JSON path of the value (`$.service.date`).", "type": "string" },
                "location": { "description": "Where the problem is, in a policy or case file.", "$ref": "#/$defs/location" },
                "expected": { "description": "What was expected, in words.", "type": "string" },
                "found": { "description": "What was found: a JSON type, never the case's own text.", "type": "string" },
                "suggestion": { "description": "The name probably meant.", "type": "string" },
                "limit": { "description": "For a limit that was hit, its value.", "type": "integer" },
                "clock": {
                  "description": "For a turnaround clock proved against a regulation (`regulation.exceeds-limit`, `regulation.within-limit`): the receipt instant where it comes closest to, or goes past, the limit.",
                  "type": "object",
                  "required": ["regulation", "request_kind", "limit", "clock", "received_at", "due", "regulation_due", "margin_seconds"],
                  "additionalProperties": false,
                  "properties": {
                    "regulation": { "description": "The regulation's id.", "type": "string" },
                    "request_kind": { "description": "`standard` or `urgent`.", "enum": ["standard", "urgent"] },
                    "limit": { "description": "The regulation's limit (`7 calendar days`).", "type": "string" },
                    "clock": { "description": "The policy's clock (`10 business days`).", "type": "string" },
                    "received_at": { "description": "The receipt instant, in the policy's time zone.", "type": "string", "format": "date-time" },
                    "due": { "description": "When the policy's clock runs out for that receipt.", "type": "string", "format": "date-time" },
                    "regulation_due": { "description": "When the regulation's limit runs out for that receipt.", "type": "string", "format": "date-time" },
                    "margin_seconds": { "description": "Seconds from `due` to `regulation_due`: negative when the clock ends after the limit.", "type": "integer" }
                  }
                },
                "notes": {
                  "description": "Related places.",
                  "type": "array",
                  "items": {
                    "description": "A related place, such as a first definition.",
                    "type": "object",
                    "required": ["message"],
                    "additionalProperties": false,
                    "properties": {
                      "message": { "description": "What the place is.", "type": "string" },
                      "location": { "description": "Where it is.", "$ref": "#/$defs/location" }
                    }
                  }
                }
              }
            }
          }
        }
        """#
}
