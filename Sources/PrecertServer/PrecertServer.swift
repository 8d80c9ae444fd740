import ArgumentParser
import Foundation
import Logging
import PrecertService

/// `precert-server`: the decision service. Every flag can also be given as an environment
/// variable (flags win); `ServiceConfiguration.settings` lists them all.
@main
struct PrecertServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precert-server",
        abstract: "Serve Precert decisions over HTTP.",
        discussion: ServiceConfiguration.settings.map { "--\($0.flag) (\($0.environment), default \($0.defaultText)): \($0.help)" }
            .joined(separator: "\n"))

    @Option(help: "Policy files and folders to serve (repeatable).") var policies: [String] = []
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on.") var port: String?
    @Option(name: .customLong("audit-log"), help: "Audit trail: FILE, or - for standard output.") var auditLog: String?
    @Option(name: .customLong("audit-key-file"), help: "Key for the audit trail's HMAC of each case.") var auditKeyFile: String?
    @Option(name: .customLong("tokens-file"), help: "Bearer tokens accepted on /v1/*, one a line.") var tokensFile: String?
    @Option(name: .customLong("max-body-bytes"), help: "Largest case body, in bytes.") var maxBodyBytes: String?
    @Option(name: .customLong("max-batch-bytes"), help: "Largest batch body, in bytes.") var maxBatchBytes: String?
    @Option(name: .customLong("max-in-flight"), help: "Most requests handled at once.") var maxInFlight: String?
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay idle.") var idleTimeout: String?
    @Option(name: .customLong("read-timeout"), help: "Seconds to send a whole request body.") var readTimeout: String?
    @Option(name: .customLong("max-header-bytes"), help: "Largest request head, in bytes.") var maxHeaderBytes: String?
    @Option(name: .customLong("watch-interval"), help: "Seconds between checks of the policy files; 0: off.") var watchInterval: String?
    @Option(name: .customLong("log-level"), help: "Least severe level logged.") var logLevel: String?
    @Option(name: .customLong("crd-auth"), help: "CDS Hooks JWT authentication: required or off.") var crdAuth: String?
    @Option(name: .customLong("crd-issuers"), help: "Trusted CDS client issuers and their JWKS files.") var crdIssuers: String?
    @Option(name: .customLong("crd-base-url"), help: "Public base URL CDS clients call.") var crdBaseURL: String?

    func run() async throws {
        var flags: [String: String] = [:]
        if !policies.isEmpty { flags["policies"] = policies.joined(separator: ":") }
        let given: [(String, String?)] = [
            ("host", host), ("port", port), ("audit-log", auditLog), ("audit-key-file", auditKeyFile), ("tokens-file", tokensFile),
            ("max-body-bytes", maxBodyBytes), ("max-batch-bytes", maxBatchBytes), ("max-in-flight", maxInFlight),
            ("idle-timeout", idleTimeout), ("read-timeout", readTimeout), ("max-header-bytes", maxHeaderBytes),
            ("watch-interval", watchInterval), ("log-level", logLevel), ("crd-auth", crdAuth), ("crd-issuers", crdIssuers),
            ("crd-base-url", crdBaseURL),
        ]
        for case (let flag, let value?) in given { flags[flag] = value }
        let settings: ServiceConfiguration
        do {
            settings = try ServiceConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment)
        } catch {
            // A bad setting is a usage error, exit 2, as for `precert`.
            let variable = ServiceConfiguration.settings.first { $0.flag == error.setting }?.environment
            let fromEnvironment = flags[error.setting] == nil && variable.flatMap { ProcessInfo.processInfo.environment[$0] } != nil
            let origin = fromEnvironment ? " (from \(variable!))" : ""
            FileHandle.standardError.write(Data("error: \(error.description)\(origin)\nsee `precert-server --help`\n".utf8))
            throw ExitCode(2)
        }
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: "precert-server")
        let service: DecisionService
        do {
            service = try DecisionService(configuration: settings, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["reason": .string(error.message)])
            throw ExitCode(3)
        }
        try await service.run()
    }
}
