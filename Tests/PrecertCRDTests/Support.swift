import Foundation
import Precert
@testable import PrecertCRD
import Testing

enum CRDFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let updatingGolden = ProcessInfo.processInfo.environment["PRECERT_UPDATE_GOLDEN"] == "1"
    /// The instant every test answers at: Monday 2026-11-30, 09:00 Pacific.
    static let now = Timestamp(rfc3339: "2026-11-30T17:00:00Z")!

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
    static func repository(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

    /// The shipped policies, loaded once.
    static let catalog: PolicyCatalog = {
        var options = CatalogOptions()
        options.analyze = false
        return try! PolicyCatalog(paths: [repository("Policies")], options: options)
    }()

    static func file(_ path: String) throws -> PolicyFile {
        PolicyFile(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// The shipped mapping with the synthetic test directory.
    static let service: CRDService = {
        let files = [try! file(repository("Policies/crd/mapping.yaml")), try! file(path("kaiser-norcal-providers.yaml"))]
        switch CRDService.load(catalog: catalog, files: files) {
        case .success(let service): return service
        case .failure(let error): fatalError("the test CRD files do not load: \(error.diagnostics)")
        }
    }()

    static func request(_ name: String) throws -> JSONValue {
        try JSONValue.parse(bytes: Array(try Data(contentsOf: directory.appendingPathComponent("requests/\(name).json"))))
    }

    static func answer(_ name: String, service serviceID: String = "precert-order-sign") throws -> JSONValue {
        try self.service.answer(serviceID: serviceID, request: try request(name), now: now)
    }
}

/// Reading a CRD response.
struct Answer {
    let json: JSONValue

    var actions: [JSONValue] { JSON.items(json["systemActions"]) }
    var cards: [JSONValue] { JSON.items(json["cards"]) }

    /// The coverage-information extensions of every updated resource.
    var informations: [JSONValue] {
        actions.flatMap { action in
            JSON.items(action["resource"]?["extension"]).filter { JSON.string($0["url"]) == ResponseWriter.extensionURL }
        }
    }

    /// The only coverage-information extension.
    var information: JSONValue {
        get throws {
            let all = informations
            try #require(all.count == 1, "expected one coverage-information extension, got \(all.count)")
            return all[0]
        }
    }
}

extension JSONValue {
    /// The values of a coverage-information sub-extension (`valueCode`, `valueString`, …).
    func sub(_ url: String) -> [JSONValue] {
        JSON.items(self["extension"]).filter { JSON.string($0["url"]) == url }.compactMap { part in
            JSON.members(part).first { $0.key.hasPrefix("value") }?.value ?? part
        }
    }

    /// The codes of a coverage-information sub-extension.
    func codes(_ url: String) -> [String] { sub(url).compactMap { JSON.string($0) } }

    var text: String { String(decoding: jsonBytes(style: .pretty), as: UTF8.self) }
}
