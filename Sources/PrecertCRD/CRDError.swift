import Precert

/// Why a CDS Hooks call gets no coverage answer, with the HTTP status CRD gives it. Messages name
/// fields and keys of the request, never a value from the patient's record.
public struct CRDError: Error, Sendable, Hashable {
    /// The kinds of failure.
    public enum Kind: String, Sendable, Hashable {
        /// The body is not JSON or not a CDS Hooks request of the service's hook: 400.
        case malformed
        /// No service has this id: 404.
        case unknownService = "unknown-service"
        /// A prefetch key the service needs was not sent, and Precert does not query the EHR: 412.
        case missingPrefetch = "missing-prefetch"
        /// The payer's policy is not loaded or not in force: 503.
        case deployment
    }

    /// What failed.
    public let kind: Kind
    /// Lowercase, user input in backticks, no value from the patient's record.
    public let message: String

    /// Creates an error.
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The HTTP status CDS Hooks and CRD give this failure.
    public var httpStatus: Int {
        switch kind {
        case .malformed: 400
        case .unknownService: 404
        case .missingPrefetch: 412
        case .deployment: 503
        }
    }

    /// The body for the status: a FHIR OperationOutcome (CDS Hooks 3.0.0-ballot, CRD hooks.md
    /// hook-10), as compact JSON with sorted keys.
    public var operationOutcome: [UInt8] { operationOutcomeJSON.jsonBytes() }

    /// The OperationOutcome as a JSON tree.
    package var operationOutcomeJSON: JSONValue {
        let code: String
        switch kind {
        case .malformed: code = "structure"
        case .unknownService: code = "not-found"
        case .missingPrefetch: code = "processing"
        case .deployment: code = "transient"
        }
        return JSON.object([
            "resourceType": .string("OperationOutcome"),
            "issue": .array([JSON.object(["severity": .string("error"), "code": .string(code), "diagnostics": .string(message)])]),
        ])
    }
}

/// Small helpers for writing JSON trees with sorted keys.
package enum JSON {
    /// An object whose members are sorted by key.
    package static func object(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.keys.sorted().map { JSONValue.Member($0, members[$0]!) })
    }

    /// The members of an object, or `[]`.
    package static func members(_ value: JSONValue?) -> [JSONValue.Member] {
        if case .object(let members)? = value { return members }
        return []
    }

    /// The items of an array, or `[]`.
    package static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    /// A string's text, or `nil`.
    package static func string(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value { return s }
        return nil
    }
}
