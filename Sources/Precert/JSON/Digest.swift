internal import Crypto

/// SHA-256 digests of files and of the parts of a decision's provenance, through swift-crypto.
package enum Digest {
    /// The SHA-256 of `bytes`, as lowercase hex.
    package static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }

    /// The SHA-256 of several parts, each preceded by its length so that no two different lists of
    /// parts hash alike (`["ab", "c"]` and `["a", "bc"]`), as lowercase hex.
    package static func sha256Hex(parts: [String]) -> String {
        var hasher = SHA256()
        for part in parts {
            let bytes = Array(part.utf8)
            hasher.update(data: Array("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        return hex(hasher.finalize())
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
