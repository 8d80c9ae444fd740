import CryptoExtras
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@testable import PrecertService

/// Claims of a test token, any of them left out or set wrong on purpose.
struct TestClaims: JWTPayload {
    var iss: IssuerClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var jti: IDClaim

    /// The tests sign any claims, valid or not; the service under test does the checking.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A CDS client issuer with an ES384 key, its JWKS and issuers files written to a folder.
struct TestIssuer {
    static let issuer = "https://ehr.example.org"
    static let base = "https://precert.example.org"
    static let serviceURL = base + "/cds-services/precert-order-sign"

    let folder: URL
    let key = ES384PrivateKey()
    let keys = JWTKeyCollection()
    /// The same issuer's RSA key (`ehr-rsa`), for RS384.
    let rsaKeys = JWTKeyCollection()

    init() async throws {
        folder = try Paths.temporaryFolder()
        let (x, y) = try #require(key.publicKey.parameters)
        let rsa = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let (n, e) = try rsa.publicKey.getKeyPrimitives()
        let jwks = """
            {"keys": [
              {"kty": "EC", "crv": "P-384", "kid": "ehr-1", "use": "sig", "alg": "ES384", "x": "\(x)", "y": "\(y)"},
              {"kty": "RSA", "kid": "ehr-rsa", "use": "sig", "alg": "RS384", "n": "\(Self.base64URL(n))", "e": "\(Self.base64URL(e))"},
              {"kty": "oct", "kid": "ignored", "k": "c2VjcmV0"}
            ]}
            """
        try Data(jwks.utf8).write(to: folder.appendingPathComponent("ehr-jwks.json"))
        try Data("# trusted CDS clients\n\"\(Self.issuer)\": ehr-jwks.json\n".utf8).write(to: issuersFile)
        await keys.add(ecdsa: key, kid: "ehr-1")
        await rsaKeys.add(rsa: rsa, digestAlgorithm: .sha384, kid: "ehr-rsa")
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    var issuersFile: URL { folder.appendingPathComponent("issuers.yaml") }

    func claims(iss: String = issuer, aud: String = serviceURL, expiresIn: TimeInterval = 300, issuedAgo: TimeInterval = 5) -> TestClaims {
        TestClaims(
            iss: IssuerClaim(value: iss), aud: AudienceClaim(value: [aud]), exp: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)),
            iat: IssuedAtClaim(value: Date().addingTimeInterval(-issuedAgo)), jti: IDClaim(value: UUID().uuidString))
    }

    func token(_ claims: TestClaims) async throws -> String {
        try await keys.sign(claims, kid: "ehr-1", header: ["typ": "JWT"])
    }
}

@Suite("CDS Hooks JWT authentication")
struct CRDAuthenticationTests {
    static func service(_ issuer: TestIssuer, logs: LogCapture = LogCapture()) throws -> DecisionService {
        try CRDSetup.service(logs: logs) { configuration in
            configuration.crdAuth = .required
            configuration.crdIssuersFile = issuer.issuersFile.path
            configuration.crdBaseURL = TestIssuer.base + "/"
        }
    }

    /// Posts the done-when request with `authorization` and returns the status and the challenge.
    static func call(_ service: DecisionService, authorization: String?) async throws -> (Int, String?) {
        try await service.makeApplication().test(.router) { client in
            var headers = json
            if let authorization { headers[.authorization] = authorization }
            return try await client.execute(
                uri: "/cds-services/precert-order-sign", method: .post, headers: headers,
                body: ByteBuffer(bytes: try CRDSetup.request("order-sign-in-directory"))
            ) { response in
                (Int(response.status.code), response.headers[.wwwAuthenticate])
            }
        }
    }

    @Test("a valid ES384 or RS384 token of a configured issuer is accepted, for the service call and for discovery")
    func valid() async throws {
        let issuer = try await TestIssuer()
        let logs = LogCapture()
        let service = try Self.service(issuer, logs: logs)
        let token = try await issuer.token(issuer.claims())
        let (status, _) = try await Self.call(service, authorization: "Bearer \(token)")
        #expect(status == 200)
        let rsaToken = try await issuer.rsaKeys.sign(issuer.claims(), kid: "ehr-rsa")
        #expect(try Self.header(rsaToken)["alg"] as? String == "RS384")
        #expect(try Self.header(token)["alg"] as? String == "ES384")
        let (rsaStatus, _) = try await Self.call(service, authorization: "Bearer \(rsaToken)")
        #expect(rsaStatus == 200, "RS384")
        let discoveryToken = try await issuer.token(issuer.claims(aud: TestIssuer.base + "/cds-services"))
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/cds-services", method: .get, headers: [.authorization: "Bearer \(discoveryToken)"]) { response in
                #expect(response.status == .ok)
            }
            // The service's token is not the discovery's.
            try await client.execute(uri: "/cds-services", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(!logs.text.contains(token) && !logs.text.contains(discoveryToken), "a token was logged")
    }

    @Test(
        "tokens that must not pass are refused with 401 and a Bearer challenge",
        arguments: [
            "missing", "not-bearer", "garbage", "expired", "wrong-aud", "unknown-iss", "future-iat", "hs256", "none", "bad-signature", "unknown-kid",
            "rs256", "alg-of-another-key",
        ])
    func refused(_ kind: String) async throws {
        let issuer = try await TestIssuer()
        let logs = LogCapture()
        let service = try Self.service(issuer, logs: logs)
        let authorization: String?
        switch kind {
        case "missing": authorization = nil
        case "not-bearer": authorization = "Basic dXNlcjpwYXNz"
        case "garbage": authorization = "Bearer not.a.token"
        case "expired": authorization = "Bearer " + (try await issuer.token(issuer.claims(expiresIn: -60, issuedAgo: 400)))
        case "wrong-aud": authorization = "Bearer " + (try await issuer.token(issuer.claims(aud: TestIssuer.base + "/cds-services/precert-order-select")))
        case "unknown-iss": authorization = "Bearer " + (try await issuer.token(issuer.claims(iss: "https://other-ehr.example.org")))
        case "future-iat": authorization = "Bearer " + (try await issuer.token(issuer.claims(expiresIn: 3_600, issuedAgo: -600)))
        case "hs256":
            let hmac = JWTKeyCollection()
            await hmac.add(hmac: HMACKey(from: "a shared secret of thirty-two bytes!"), digestAlgorithm: .sha256, kid: "ehr-1")
            authorization = "Bearer " + (try await hmac.sign(issuer.claims(), kid: "ehr-1"))
        case "none":
            let header = Self.base64URL(#"{"alg":"none","kid":"ehr-1","typ":"JWT"}"#)
            let now = Int(Date().timeIntervalSince1970)
            let payload = Self.base64URL(#"{"iss":"\#(TestIssuer.issuer)","aud":"\#(TestIssuer.serviceURL)","exp":\#(now + 300),"iat":\#(now),"jti":"n-1"}"#)
            authorization = "Bearer \(header).\(payload)."
        case "bad-signature":
            // Signed by another key that names the trusted key's id.
            let other = JWTKeyCollection()
            await other.add(ecdsa: ES384PrivateKey(), kid: "ehr-1")
            authorization = "Bearer " + (try await other.sign(issuer.claims(), kid: "ehr-1"))
        case "rs256":
            // The trusted RSA key, but SHA-256: only RS384 and ES384 are accepted.
            let rsa256 = JWTKeyCollection()
            await rsa256.add(rsa: try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048)), digestAlgorithm: .sha256, kid: "ehr-rsa")
            authorization = "Bearer " + (try await rsa256.sign(issuer.claims(), kid: "ehr-rsa"))
        case "alg-of-another-key":
            // An RS384 token naming the EC key's id.
            authorization = "Bearer " + (try await issuer.rsaKeys.sign(issuer.claims(), header: ["kid": "ehr-1"]))
        default:
            authorization = "Bearer " + (try await issuer.keys.sign(issuer.claims(), header: ["kid": "ehr-2"]))
        }
        let (status, challenge) = try await Self.call(service, authorization: authorization)
        #expect(status == 401, "\(kind)")
        #expect(challenge?.hasPrefix("Bearer") == true, "\(kind)")
        if let authorization, authorization.count > 20 {
            #expect(!logs.text.contains(String(authorization.dropFirst(7))), "a token was logged")
        }
        #expect(logs.text.contains("cds client token refused"))
    }

    @Test("with authentication required and no issuers the service refuses to start; beyond loopback it is required by default")
    func startRefused() throws {
        #expect(throws: ServiceStartError.self) {
            _ = try makeService { $0.crdAuth = .required }
        }
        var configuration = ServiceConfiguration()
        configuration.host = "0.0.0.0"
        #expect(configuration.crdAuthRequired)
        configuration.host = "127.0.0.1"
        #expect(!configuration.crdAuthRequired)
        configuration.crdAuth = .required
        #expect(configuration.crdAuthRequired)
        let error = #expect(throws: ServiceStartError.self) {
            _ = try makeService {
                $0.host = "0.0.0.0"
                $0.crdAuth = nil
            }
        }
        #expect(error?.message.contains("--crd-issuers") == true)
    }

    /// A token's header, decoded.
    static func header(_ token: String) throws -> [String: Any] {
        var text = String(token.prefix { $0 != "." }).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        let data = try #require(Data(base64Encoded: text))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
