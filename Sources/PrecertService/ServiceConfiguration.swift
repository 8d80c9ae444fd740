import Foundation
import Logging
import Precert

/// Every setting of the decision service in one place: its flag, its environment variable, its
/// default and what it does. The executable's flags, the environment and the README's table are
/// all read from `ServiceConfiguration.settings`, so none of them can drift from the others.
public struct ServiceConfiguration: Sendable {
    /// The policy files and folders served.
    public var policies: [String] = ["Policies"]
    /// The address to listen on; loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// The port to listen on (0 picks a free one).
    public var port = 8080
    /// Where audit records go: a file path, `-` for standard output, or `nil` for none.
    public var auditLog: String?
    /// The file holding the key for the audit trail's HMAC of each case.
    public var auditKeyFile: String?
    /// The file of bearer tokens accepted on `/v1/*` (one a line); `nil`: no authentication.
    public var tokensFile: String?
    /// The largest request body for one case, in bytes (the library's case limit).
    public var maxBodyBytes = 1 << 20
    /// The largest request body for a batch, in bytes.
    public var maxBatchBytes = 256 << 20
    /// The most requests handled at once; more get `503` with `Retry-After`.
    public var maxInFlight = 512
    /// Seconds a connection may sit idle (no bytes read or written) before it is closed.
    public var idleTimeout = 30.0
    /// Seconds a client has to send a whole request body.
    public var readTimeout = 30.0
    /// The largest request head (request line and headers), in bytes.
    public var maxHeaderBytes = 16 << 10
    /// Seconds between checks of the policy files for changes; 0 turns watching off (SIGHUP still reloads).
    public var watchInterval = 2.0
    /// The least severe log level written.
    public var logLevel = Logger.Level.info
    /// Whether CDS Hooks calls (`/cds-services*`) must carry a verified JWT; `nil`: required
    /// unless the service listens on loopback only.
    public var crdAuth: CRDAuthMode?
    /// The YAML or JSON file mapping each trusted CDS client issuer (`iss`) to its JWKS file.
    public var crdIssuersFile: String?
    /// The service's public base URL as CDS clients call it (`https://precert.example.org`):
    /// a token's `aud` must be this plus the path called.
    public var crdBaseURL: String?
    /// The clock CDS Hooks answers are dated by (tests fix it).
    var now: @Sendable () -> Date = { Date() }

    /// Whether CDS Hooks calls need a verified JWT: `crdAuth`, or by default whether `host` is
    /// beyond loopback.
    public var crdAuthRequired: Bool {
        switch crdAuth {
        case .required?: true
        case .off?: false
        case nil: !Self.isLoopback(host)
        }
    }

    /// Whether an address is loopback only (`127.0.0.0/8`, `::1`, `localhost`).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The defaults: loopback, port 8080, `Policies`, no audit trail, no authentication.
    public init() {}

    /// Whether CDS clients must authenticate with a JWT.
    public enum CRDAuthMode: String, Sendable {
        /// Every CDS Hooks call needs a verified JWT.
        case required
        /// No JWT is checked (local trials).
        case off
    }

    /// One setting: how it is named on the command line and in the environment, and what it does.
    public struct Setting: Sendable {
        /// The flag, without dashes (`policies`).
        public let flag: String
        /// The environment variable (`PRECERT_POLICIES`).
        public let environment: String
        /// The default, as the README shows it.
        public let defaultText: String
        /// What it does, for `--help` and the README.
        public let help: String
        /// Applies a value given as text, or throws a message naming what was expected.
        let apply: @Sendable (inout ServiceConfiguration, String) throws -> Void
    }

    /// Every setting, in the order `--help` and the README list them.
    public static let settings: [Setting] = [
        Setting(flag: "policies", environment: "PRECERT_POLICIES", defaultText: "Policies",
                help: "policy files and folders to serve (separate several with `:` in the environment)") { config, value in
            let paths = value.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            guard !paths.isEmpty else { throw ConfigurationError(setting: "policies", message: "expected at least one path") }
            config.policies = paths
        },
        Setting(flag: "host", environment: "PRECERT_HOST", defaultText: "127.0.0.1",
                help: "address to listen on; `0.0.0.0` for every interface (behind an ingress that terminates TLS)") { config, value in
            guard !value.isEmpty else { throw ConfigurationError(setting: "host", message: "expected an address") }
            config.host = value
        },
        Setting(flag: "port", environment: "PRECERT_PORT", defaultText: "8080", help: "port to listen on; 0 picks a free one") { config, value in
            config.port = try integer(value, "port", in: 0...65_535)
        },
        Setting(flag: "audit-log", environment: "PRECERT_AUDIT_LOG", defaultText: "none",
                help: "append one JSON line per decision to FILE, or to standard output with `-`") { config, value in
            config.auditLog = value.isEmpty ? nil : value
        },
        Setting(flag: "audit-key-file", environment: "PRECERT_AUDIT_KEY_FILE", defaultText: "none",
                help: "file whose bytes key the HMAC-SHA256 of each case in the audit trail (required with `--audit-log`)") { config, value in
            config.auditKeyFile = value.isEmpty ? nil : value
        },
        Setting(flag: "tokens-file", environment: "PRECERT_TOKENS_FILE", defaultText: "none",
                help: "file of bearer tokens, one a line, required on `/v1/*`; without it `/v1/*` is open") { config, value in
            config.tokensFile = value.isEmpty ? nil : value
        },
        Setting(flag: "max-body-bytes", environment: "PRECERT_MAX_BODY_BYTES", defaultText: "1048576",
                help: "largest case body, in bytes; larger gets 413") { config, value in
            config.maxBodyBytes = try integer(value, "max-body-bytes", in: 1...(64 << 20))
        },
        Setting(flag: "max-batch-bytes", environment: "PRECERT_MAX_BATCH_BYTES", defaultText: "268435456",
                help: "largest batch body, in bytes; the lines before the limit are answered, then the batch ends with an error line") { config, value in
            config.maxBatchBytes = try integer(value, "max-batch-bytes", in: 1...(1 << 40))
        },
        Setting(flag: "max-in-flight", environment: "PRECERT_MAX_IN_FLIGHT", defaultText: "512",
                help: "most requests handled at once; beyond it `503` with `Retry-After`") { config, value in
            config.maxInFlight = try integer(value, "max-in-flight", in: 1...1_000_000)
        },
        Setting(flag: "idle-timeout", environment: "PRECERT_IDLE_TIMEOUT", defaultText: "30",
                help: "seconds a connection may stay idle before it is closed") { config, value in
            config.idleTimeout = try seconds(value, "idle-timeout")
        },
        Setting(flag: "read-timeout", environment: "PRECERT_READ_TIMEOUT", defaultText: "30",
                help: "seconds a client has to send a whole request body; bytes still arriving after it get 408 (a client that stops sending is closed by the idle timeout)") { config, value in
            config.readTimeout = try seconds(value, "read-timeout")
        },
        Setting(flag: "max-header-bytes", environment: "PRECERT_MAX_HEADER_BYTES", defaultText: "16384",
                help: "largest request head (request line and headers), in bytes") { config, value in
            config.maxHeaderBytes = try integer(value, "max-header-bytes", in: 1_024...(1 << 20))
        },
        Setting(flag: "watch-interval", environment: "PRECERT_WATCH_INTERVAL", defaultText: "2",
                help: "seconds between checks of the policy files for changes; 0 turns watching off (SIGHUP still reloads)") { config, value in
            guard let number = Double(value), number >= 0, number <= 86_400 else {
                throw ConfigurationError(setting: "watch-interval", message: "expected seconds from 0 to 86400, got `\(value)`")
            }
            config.watchInterval = number
        },
        Setting(flag: "crd-auth", environment: "PRECERT_CRD_AUTH", defaultText: "required beyond loopback",
                help: "`required`: every CDS Hooks call (`/cds-services*`) needs a JWT signed by a configured issuer; `off`: none is checked (local trials); by default required unless the service listens on loopback") { config, value in
            guard let mode = CRDAuthMode(rawValue: value) else {
                throw ConfigurationError(setting: "crd-auth", message: "expected `required` or `off`, got `\(value)`")
            }
            config.crdAuth = mode
        },
        Setting(flag: "crd-issuers", environment: "PRECERT_CRD_ISSUERS", defaultText: "none",
                help: "YAML or JSON file mapping each trusted CDS client issuer (`iss`) to its JWKS file (paths relative to this file)") { config, value in
            config.crdIssuersFile = value.isEmpty ? nil : value
        },
        Setting(flag: "crd-base-url", environment: "PRECERT_CRD_BASE_URL", defaultText: "none",
                help: "public base URL CDS clients call (`https://precert.example.org`); a token's `aud` must be it plus `/cds-services/{id}`") { config, value in
            guard value.hasPrefix("https://") || value.hasPrefix("http://"), !value.contains("?"), !value.contains("#") else {
                throw ConfigurationError(setting: "crd-base-url", message: "expected an absolute http(s) URL without query, got `\(value)`")
            }
            config.crdBaseURL = value
        },
        Setting(flag: "log-level", environment: "PRECERT_LOG_LEVEL", defaultText: "info",
                help: "least severe level logged: trace, debug, info, notice, warning, error, critical") { config, value in
            guard let level = Logger.Level(rawValue: value) else {
                throw ConfigurationError(setting: "log-level", message: "expected trace, debug, info, notice, warning, error or critical, got `\(value)`")
            }
            config.logLevel = level
        },
    ]

    /// The configuration from flags (by flag name) over environment variables over defaults;
    /// throws the first setting whose value is not valid, or a combination that cannot work.
    public static func resolve(flags: [String: String], environment: [String: String]) throws(ConfigurationError) -> ServiceConfiguration {
        var configuration = ServiceConfiguration()
        for setting in settings {
            guard let value = flags[setting.flag] ?? environment[setting.environment] else { continue }
            do {
                try setting.apply(&configuration, value)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(setting: setting.flag, message: "\(error)")
            }
        }
        if configuration.auditLog != nil, configuration.auditKeyFile == nil {
            throw ConfigurationError(
                setting: "audit-key-file",
                message: "`--audit-log` needs `--audit-key-file`: the audit trail records an HMAC of each case under that key, never the case")
        }
        return configuration
    }

    private static func integer(_ text: String, _ setting: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(setting: setting, message: "expected a whole number from \(range.lowerBound) to \(range.upperBound), got `\(text)`")
        }
        return number
    }

    private static func seconds(_ text: String, _ setting: String) throws(ConfigurationError) -> Double {
        guard let number = Double(text), number > 0, number <= 86_400 else {
            throw ConfigurationError(setting: setting, message: "expected seconds above 0 and at most 86400, got `\(text)`")
        }
        return number
    }
}

/// A setting whose value cannot be used.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The setting's flag name.
    public let setting: String
    /// What was wrong, lowercase, without a final period.
    public let message: String

    /// The problem as `--flag: message`.
    public var description: String { "--\(setting): \(message)" }
}
