import Foundation
import Testing
@testable import Precert

/// SHA-256 against the FIPS 180-4 example vectors and the system's `sha256sum`.
@Suite struct SHA256Tests {
    /// The standard test vectors from FIPS 180-4 / NIST's examples.
    @Test func standardVectors() {
        #expect(SHA256.hexDigest("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the padding boundaries, where an off-by-one would show (expected values from `sha256sum`).
    @Test(arguments: [
        (55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"),
        (56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"),
        (63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"),
        (64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"),
        (65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"),
        (119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"),
        (120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "x"), count: length)) == expected)
    }

    /// Feeding the message in uneven pieces, or as a non-contiguous collection, gives the same digest.
    @Test func incrementalMatchesOneShot() {
        let message = Self.fileContents
        let expected = SHA256.hash(message)
        for chunk in [1, 3, 63, 64, 65, 1000] {
            var hasher = SHA256()
            var start = 0
            while start < message.count {
                let end = min(start + chunk, message.count)
                hasher.update(message[start..<end])
                start = end
            }
            #expect(hasher.finalize() == expected, "chunk size \(chunk)")
        }
        // A lazily mapped collection has no contiguous storage and takes the copying path.
        #expect(SHA256.hash(message.lazy.map { $0 }) == expected)
        #expect(expected.count == 32)
    }

    /// The same bytes as a file hash to what `sha256sum` prints for it.
    @Test func matchesSha256sum() throws {
        // Recorded with: python3 -c '...bytes(((i*31+7)&0xFF) for i in range(100003))' | sha256sum
        let recorded = "2a1683cff214df29e77df156a515258190a1bc11526d41cd2b34e72a23b6b7d6"
        let bytes = Self.fileContents
        #expect(SHA256.hexDigest(bytes) == recorded)

        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("precert-sha256-\(ProcessInfo.processInfo.processIdentifier).bin")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let tool = URL(fileURLWithPath: "/usr/bin/sha256sum")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else { return }
        let process = Process()
        process.executableURL = tool
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let printed = String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
        #expect(printed == SHA256.hexDigest(bytes))
    }

    /// 100,003 bytes of a fixed pattern, longer than many blocks and not a multiple of 64.
    static let fileContents: [UInt8] = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}
