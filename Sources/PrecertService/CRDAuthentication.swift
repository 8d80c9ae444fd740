import Foundation
import JWTKit
import Precert

/// Verifies the JWT bearer token a CDS client sends with each CDS Hooks call (CDS Hooks 2.0
/// "Security"): signed with RS384 or ES384 by a key of a configured issuer's JWKS (matched by
/// `kid`), `aud` the URL called, not expired, `iat` not in the future. Unsigned (`none`) and
/// HMAC tokens are refused whatever key they name. The token itself is never logged or kept.
struct CRDAuthenticator: Sendable {
    /// The algorithms accepted.
    static let algorithms: Set<String> = ["RS384", "ES384"]
    /// Seconds a client's clock may run ahead of ours for `iat`.
    static let leeway: Double = 60

    /// One public key of an issuer.
    enum PublicKey: Sendable {
        case ecdsa(ES384PublicKey)
        case rsa(Insecure.RSA.PublicKey)

        /// The `alg` a token signed with this key names.
        var algorithm: String {
            switch self {
            case .ecdsa: "ES384"
            case .rsa: "RS384"
            }
        }
    }

    /// Each issuer's keys by `kid`.
    let issuers: [String: [String: PublicKey]]
    /// The service's public base URL (`https://precert.example.org`), without a final `/`.
    let baseURL: String
    /// Key collections made on first use, one per issuer and key.
    private let keyrings = Keyrings()

    init(issuers: [String: [String: PublicKey]], baseURL: String) {
        self.issuers = issuers
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    /// The claims read from a verified token that may be logged: who called, and the token's id.
    struct Caller: Sendable {
        /// The issuer (`iss`).
        let issuer: String
        /// The token's id (`jti`), when it has one.
        let tokenID: String?
    }

    /// Why a token was refused: a short reason for the log, never the token or its claims'
    /// values beyond the issuer.
    struct Refusal: Error, Sendable {
        /// A stable reason (`missing`, `malformed`, `algorithm`, `issuer`, `key`, `signature`,
        /// `audience`, `expired`, `issued-in-future`).
        let reason: String
        /// The issuer the token named, when it named a configured one.
        var issuer: String?
    }

    /// The claims jwt-kit decodes and checks (`exp`) with the signature.
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    /// Verifies the `Authorization` header's token for a call to one of `audiences` (the URLs
    /// that name the endpoint called), at `now`.
    func verify(authorization: String?, audiences: [String], now: Date = Date()) async throws(Refusal) -> Caller {
        guard let header = authorization, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Refusal(reason: "missing")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let head = Self.object(parts[0]), let body = Self.object(parts[1]) else {
            throw Refusal(reason: "malformed")
        }
        guard let algorithm = head["alg"] as? String, Self.algorithms.contains(algorithm) else { throw Refusal(reason: "algorithm") }
        guard let issuer = body["iss"] as? String, let keys = issuers[issuer] else { throw Refusal(reason: "issuer") }
        guard let kid = head["kid"] as? String, let key = keys[kid], key.algorithm == algorithm else {
            throw Refusal(reason: "key", issuer: issuer)
        }
        let claims: Claims
        do {
            let keyring = await keyrings.keyring(issuer: issuer, kid: kid, key: key)
            claims = try await keyring.verify(token, as: Claims.self)
        } catch let error as JWTError {
            let expired = error.errorType == .claimVerificationFailure && error.failedClaim is ExpirationClaim
            throw Refusal(reason: expired ? "expired" : "signature", issuer: issuer)
        } catch {
            throw Refusal(reason: "signature", issuer: issuer)
        }
        guard claims.iss.value == issuer else { throw Refusal(reason: "issuer", issuer: issuer) }
        guard claims.aud.value.contains(where: audiences.contains) else { throw Refusal(reason: "audience", issuer: issuer) }
        guard now < claims.exp.value else { throw Refusal(reason: "expired", issuer: issuer) }
        guard claims.iat.value.timeIntervalSince(now) <= Self.leeway else { throw Refusal(reason: "issued-in-future", issuer: issuer) }
        return Caller(issuer: issuer, tokenID: claims.jti?.value)
    }

    /// The URL a call to `path` (`/cds-services/precert-order-sign`) is made to.
    func url(_ path: String) -> String { baseURL + path }

    /// A base64url segment's JSON object.
    private static func object(_ segment: Substring) -> [String: Any]? {
        var text = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    // MARK: Configuration

    /// Reads the issuers file: a YAML (or JSON) mapping of each issuer (`iss`) to the path of its
    /// JWKS file (relative to the issuers file), and each JWKS's EC P-384 and RSA keys.
    static func load(issuersFile: String, baseURL: String) throws(ServiceStartError) -> CRDAuthenticator {
        guard let data = FileManager.default.contents(atPath: issuersFile) else {
            throw ServiceStartError(message: "cannot read the CRD issuers file `\(issuersFile)`")
        }
        let loaded = YAMLLoader.load(Array(data), file: issuersFile)
        guard let pairs = loaded.root?.mapping, !pairs.isEmpty else {
            throw ServiceStartError(message: "the CRD issuers file `\(issuersFile)` must map each issuer to the path of its JWKS file")
        }
        let folder = (issuersFile as NSString).deletingLastPathComponent
        var issuers: [String: [String: PublicKey]] = [:]
        for pair in pairs {
            guard let issuer = pair.key.scalar, !issuer.isEmpty, let path = pair.value.scalar, !path.isEmpty else {
                throw ServiceStartError(message: "the CRD issuers file `\(issuersFile)` must map each issuer to the path of its JWKS file")
            }
            let jwksPath = path.hasPrefix("/") || folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
            issuers[issuer] = try keys(jwksFile: jwksPath, issuer: issuer)
        }
        return CRDAuthenticator(issuers: issuers, baseURL: baseURL)
    }

    /// The usable keys of a JWKS file: EC keys on P-384 and RSA keys, each with a `kid`.
    static func keys(jwksFile: String, issuer: String) throws(ServiceStartError) -> [String: PublicKey] {
        guard let data = FileManager.default.contents(atPath: jwksFile),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let entries = object["keys"] as? [[String: Any]]
        else {
            throw ServiceStartError(message: "the JWKS file `\(jwksFile)` of issuer `\(issuer)` cannot be read as a JSON web key set")
        }
        var keys: [String: PublicKey] = [:]
        for entry in entries {
            guard let kid = entry["kid"] as? String, !kid.isEmpty else { continue }
            if let use = entry["use"] as? String, use != "sig" { continue }
            switch entry["kty"] as? String {
            case "EC":
                guard entry["crv"] as? String == "P-384", let x = entry["x"] as? String, let y = entry["y"] as? String else { continue }
                do {
                    keys[kid] = .ecdsa(try ES384PublicKey(parameters: (x, y)))
                } catch {
                    throw ServiceStartError(message: "key `\(kid)` in `\(jwksFile)` is not a valid P-384 public key")
                }
            case "RSA":
                guard let n = entry["n"] as? String, let e = entry["e"] as? String else { continue }
                do {
                    keys[kid] = .rsa(try Insecure.RSA.PublicKey(modulus: n, exponent: e))
                } catch {
                    throw ServiceStartError(message: "key `\(kid)` in `\(jwksFile)` is not a valid RSA public key of at least 2048 bits")
                }
            default:
                continue
            }
        }
        guard !keys.isEmpty else {
            throw ServiceStartError(message: "the JWKS file `\(jwksFile)` of issuer `\(issuer)` has no EC P-384 or RSA signing key with a `kid`")
        }
        return keys
    }
}

/// One jwt-kit key collection per issuer and key, each holding only that key, so that a token
/// is verified with exactly the key its `kid` names (never a collection's default).
private actor Keyrings {
    private var made: [String: JWTKeyCollection] = [:]

    func keyring(issuer: String, kid: String, key: CRDAuthenticator.PublicKey) async -> JWTKeyCollection {
        let name = issuer + "\u{0}" + kid
        if let keyring = made[name] { return keyring }
        let keyring = JWTKeyCollection()
        switch key {
        case .ecdsa(let key): await keyring.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        case .rsa(let key): await keyring.add(rsa: key, digestAlgorithm: .sha384, kid: JWKIdentifier(string: kid))
        }
        made[name] = keyring
        return keyring
    }
}
