import Foundation
import Testing

@testable import Precert

/// Policy digests through swift-crypto are the ones the hand-written SHA-256 gave (and `sha256sum`
/// gives), so decisions recorded before the change still name the same files.
@Suite struct DigestTests {
    @Test("a policy's digest is pinned: the same bytes, the same digest as before swift-crypto")
    func pinnedPolicyDigest() throws {
        let loaded = PolicyCatalog.load(paths: [
            Fixtures.path("catalog"), Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path,
        ])
        let clinic = try #require(loaded.catalog.policies.first { $0.file == "clinic-v2.yaml" })
        // `sha256sum Tests/PrecertTests/Fixtures/catalog/clinic-v2.yaml`, and the value decisions carried in contract 1.
        #expect(clinic.digest == "ff2eda3f8ca8291051ea7d777459af460336198b5e63c9723cbad1a77f8a9652")
    }

    @Test("FIPS 180-4 vectors, through the digest every file and decision uses")
    func vectors() {
        #expect(Digest.sha256Hex("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256Hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the provenance digest tells lists of parts apart however their text is split")
    func parts() {
        #expect(Digest.sha256Hex(parts: ["ab", "c"]) != Digest.sha256Hex(parts: ["a", "bc"]))
        #expect(Digest.sha256Hex(parts: ["a", "b"]) == Digest.sha256Hex(parts: ["a", "b"]))
        // Pinned, so a change to how the parts are framed (which would change every decision's
        // provenance digest) is a visible, deliberate change.
        #expect(Digest.sha256Hex(parts: ["policy", "calendar", "2025b"]) == Digest.sha256Hex(Array("6:policy8:calendar5:2025b".utf8)))
    }
}
