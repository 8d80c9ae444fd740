/// Finds the reviewer notes in a rule's `because`: a sentence that starts with "Uncertain:"
/// (any case; also "Uncertain for affiliates:", a few words before the colon) marks a reading of
/// the sources that a reviewer should confirm with the payer (docs/LANGUAGE.md, section 7.4).
///
/// A note starts at the beginning of the text or of a sentence (after `.`, `!` or `?` and a
/// space, or a line break) and runs to the end of its sentence: the next `.`, `!` or `?` followed
/// by the end of the text, or by a space and a capital letter or an opening bracket or quote.
package enum ReviewerNotes {
    /// A stretch of text, and whether it is a reviewer note.
    package struct Run: Sendable, Hashable {
        /// The text.
        package var text: String
        /// Whether it is a reviewer note ("Uncertain: …").
        package var isNote: Bool
    }

    /// `text` cut into runs, the reviewer notes marked; the runs joined give `text` back.
    package static func runs(_ text: String) -> [Run] {
        let characters = Array(text)
        var runs: [Run] = []
        var plainStart = 0
        var index = 0
        while index < characters.count {
            if isSentenceStart(characters, index), let afterMarker = markerEnd(characters, index) {
                let end = sentenceEnd(characters, from: afterMarker)
                if plainStart < index { runs.append(Run(text: String(characters[plainStart..<index]), isNote: false)) }
                runs.append(Run(text: String(characters[index..<end]), isNote: true))
                index = end
                plainStart = end
                continue
            }
            index += 1
        }
        if plainStart < characters.count { runs.append(Run(text: String(characters[plainStart...]), isNote: false)) }
        return runs
    }

    /// The reviewer notes of `text`, in order.
    package static func notes(_ text: String) -> [String] {
        runs(text).filter(\.isNote).map(\.text)
    }

    /// Whether a sentence may start at `index`: the first letter of the text, or one after a
    /// sentence's end and white space, or after a line break.
    private static func isSentenceStart(_ characters: [Character], _ index: Int) -> Bool {
        var before = index - 1
        var sawSpace = false
        while before >= 0, characters[before].isWhitespace {
            if characters[before].isNewline { return true }
            sawSpace = true
            before -= 1
        }
        if before < 0 { return true }
        // A closing bracket or quote may follow the full stop: `(as it says.) Uncertain: …`.
        while before >= 0, ")]\"'\u{201D}\u{2019}".contains(characters[before]) { before -= 1 }
        return sawSpace && before >= 0 && ".!?".contains(characters[before])
    }

    /// Where the note's marker ends (just past its colon), when `index` starts "Uncertain:" or
    /// "Uncertain <a few words>:".
    private static func markerEnd(_ characters: [Character], _ index: Int) -> Int? {
        let word = Array("uncertain")
        guard index + word.count <= characters.count else { return nil }
        for offset in 0..<word.count where characters[index + offset].lowercased() != String(word[offset]) { return nil }
        var cursor = index + word.count
        // A whole word: "Uncertainty" is not a marker.
        if cursor < characters.count, characters[cursor].isLetter { return nil }
        let limit = min(characters.count, cursor + 40)
        while cursor < limit {
            let character = characters[cursor]
            if character == ":" { return cursor + 1 }
            if ".!?;\n".contains(character) { return nil }
            cursor += 1
        }
        return nil
    }

    /// The end of the sentence that goes on from `start`: just past its final `.`, `!` or `?`.
    private static func sentenceEnd(_ characters: [Character], from start: Int) -> Int {
        var index = start
        while index < characters.count {
            if ".!?".contains(characters[index]) {
                var after = index + 1
                while after < characters.count, ")]\"'\u{201D}\u{2019}".contains(characters[after]) { after += 1 }
                if after == characters.count { return after }
                if characters[after].isWhitespace {
                    var next = after
                    while next < characters.count, characters[next].isWhitespace { next += 1 }
                    if next == characters.count { return after }
                    let first = characters[next]
                    if first.isUppercase || "([\"'\u{201C}\u{2018}".contains(first) || characters[after].isNewline { return after }
                }
            }
            index += 1
        }
        return characters.count
    }
}
