import Foundation
import Hummingbird

/// The floor for `Scripts/serve-bench.sh`: the same server framework, configured as
/// `precert-server` is (HTTP/1.1, Hummingbird 2), answering `POST /v1/decisions` with a fixed
/// response of the size of a real decision, after reading the request body, without evaluating
/// anything. The service's throughput is measured against this floor in the same run.
///
/// Usage: `precert-serve-floor PORT RESPONSE_FILE`. Not part of the product.
@main
struct ServeFloor {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[1]), let response = FileManager.default.contents(atPath: arguments[2]) else {
            FileHandle.standardError.write(Data("usage: precert-serve-floor PORT RESPONSE_FILE\n".utf8))
            exit(2)
        }
        let bytes = ByteBuffer(bytes: Array(response))
        let router = Router()
        router.post("/v1/decisions") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await application.runService()
    }
}
