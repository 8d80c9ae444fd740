/// The cases of a JSON Lines text as `precert test --record` and `precert diff` read them: each
/// non-blank line by its number (from 1), without the `\r` of a Windows line end.
enum CaseLines {
    static func read(_ text: [UInt8]) -> [(line: Int, bytes: [UInt8])] {
        var cases: [(line: Int, bytes: [UInt8])] = []
        for (index, raw) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw)
            guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { continue }
            cases.append((index + 1, bytes))
        }
        return cases
    }
}
