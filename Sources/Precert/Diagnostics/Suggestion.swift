/// Finds the closest known name to a misspelled one, for "did you mean" hints.
package enum Suggestion {
    /// The candidate nearest to `word` by edit distance, when it is close enough to be a likely typo.
    ///
    /// The answer does not depend on the order of `candidates`, so a `Set` or a dictionary's keys
    /// give the same hint in every process: of equally close candidates, the one that sorts first
    /// (`<` on `String`) wins.
    package static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let target = Array(word.lowercased().unicodeScalars)
        let allowed = max(1, min(3, target.count / 3))
        // A hint is best effort: past `maximumCandidates` names, or for a word too long to be a
        // typo, none is given, so that thousands of unknown names among thousands of names (a
        // 200 KB policy took 50 s) stay linear.
        guard target.count <= maximumWordLength else { return nil }
        var best: (name: String, distance: Int)?
        var examined = 0
        for candidate in candidates {
            examined += 1
            if examined > maximumCandidates { return nil }
            let lowered = Array(candidate.lowercased().unicodeScalars)
            // The distance is at least the difference in length: skip the far ones cheaply.
            guard abs(lowered.count - target.count) <= allowed else { continue }
            let distance = editDistance(target, lowered)
            if let current = best, distance > current.distance || (distance == current.distance && current.name <= candidate) {
                continue
            }
            best = (candidate, distance)
        }
        guard let best else { return nil }
        return best.distance <= allowed ? best.name : nil
    }

    /// Past this many candidates no suggestion is made.
    package static let maximumCandidates = 1_000

    /// Words longer than this get no suggestion.
    package static let maximumWordLength = 256

    /// "did you mean `x`?" for a suggestion, if there is one.
    package static func hint(_ suggestion: String?) -> String? {
        suggestion.map { "did you mean `\($0)`?" }
    }

    /// "did you mean `x`?" when a close candidate exists.
    package static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String? {
        hint(closest(to: word, in: candidates))
    }

    /// Levenshtein distance with transpositions counted as one edit.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
