/// A policy's decision JSON in pieces encoded once by `DecisionEncoder`, so that a case is written
/// by copying bytes instead of building its decision and escaping the same rule texts again.
///
/// All pieces live in one byte array, found through plain-data spans, so that writing a case
/// retains and releases nothing. The bytes equal `DecisionEncoder.encode` of the decision
/// `Evaluator.evaluate` gives for the same walk (a test holds them to it).
final class DecisionFragments: Sendable {
    /// Where one reachable leaf's `"name":{…}` members are in `bytes`.
    struct Span: Sendable {
        /// The member when its due date can be counted (or it has none); for a due date, the part
        /// before the date's text (up to its opening quote).
        let before: Range<Int>
        /// For a due date, the part after its text (from its closing quote; empty otherwise).
        let after: Range<Int>
        /// The member when the time its clock starts from is unknown (empty when it has no due date).
        let undated: Range<Int>
        /// For a due date, how it is found.
        let due: DueRule?
    }

    /// The evaluator whose answers these are.
    let evaluator: Evaluator
    /// Every piece, back to back.
    let bytes: [UInt8]
    /// `{"case_id":`.
    let opening: Range<Int>
    /// `,"policy":{…},"engine":{…},"decisions":{`, the same for every case of the policy.
    let header: Range<Int>
    /// Per leaf meaning (`Evaluator.leafMeanings`), its members.
    let spans: [Span]
    /// Per decision, a `needs_information` member that unknown inputs left open, in three parts:
    /// `"name":{"status":"needs_information","missing":[`, `],"possible":[` and `]}`, with the
    /// items between them from `pathItems` and `wordItems`.
    struct OpenSpan: Sendable {
        let head: Range<Int>
        let middle: Range<Int>
        let tail: Range<Int>
        /// Where the decision's words start in `wordItems`.
        let firstWord: Int
    }

    /// Per decision, its open member.
    let openSpans: [OpenSpan]
    /// Per input slot, its path as a JSON string.
    let pathItems: [Range<Int>]
    /// Per decision (from `OpenSpan.firstWord`), the words of its `AnswerTable` as JSON strings.
    let wordItems: [Range<Int>]
    /// `},"next_steps":[`.
    let middle: Range<Int>
    /// `],"provenance":{…,"version_date":"`: what follows the next steps, up to the text of the
    /// date that chose the version.
    let provenance: Range<Int>
    /// `","version_date_from":"`, between that date and where it came from.
    let dateSource: Range<Int>
    /// `"}}`.
    let closing: Range<Int>

    init(evaluator: Evaluator, digest: String, provenance record: Provenance) {
        self.evaluator = evaluator
        let checked = evaluator.compiled.checked
        var probe = JSONWriter(style: .compact)
        var marks = DecisionEncoder.DocumentMarks()
        DecisionEncoder.write(
            CaseDecision(
                caseID: nil, policyID: checked.id, payer: checked.payer, effective: checked.effective,
                digest: digest, decisions: [], nextSteps: [], provenance: record),
            to: &probe, marks: &marks)
        var bytes: [UInt8] = []
        func piece(_ range: Range<Int>) -> Range<Int> {
            let start = bytes.count
            bytes += probe.bytes[range]
            return start..<bytes.count
        }
        opening = piece(0..<marks.caseID.lowerBound)
        header = piece(marks.caseID.upperBound..<marks.decisionsStart)
        middle = piece(marks.decisionsEnd..<marks.nextStepsStart)
        // The date and its source are JSON strings of characters that need no escapes: the pieces
        // around them keep their quotes, and a case writes just the text between.
        provenance = piece(marks.nextStepsEnd..<(marks.versionDate.lowerBound + 1))
        dateSource = piece((marks.versionDate.upperBound - 1)..<(marks.versionDateSource.lowerBound + 1))
        closing = piece((marks.versionDateSource.upperBound - 1)..<probe.bytes.count)
        // Any instant marks where a due date goes; the bytes around it are the same for every date.
        let placeholder = Timestamp(epochSeconds: 0)
        spans = evaluator.leafMeanings.map { meaning in
            var dated = meaning.dated.result
            if meaning.due != nil { dated.due = placeholder }
            let start = bytes.count
            let due = DecisionEncoder.writeMember(dated, to: &bytes).due
            let member = start..<bytes.count
            let undatedStart = bytes.count
            if let undated = meaning.undated { DecisionEncoder.writeMember(undated.result, to: &bytes) }
            let undated = undatedStart..<bytes.count
            guard let due, let rule = meaning.due else { return Span(before: member, after: 0..<0, undated: undated, due: nil) }
            return Span(before: start..<(due.lowerBound + 1), after: (due.upperBound - 1)..<member.upperBound, undated: undated, due: rule)
        }
        func item(_ text: String) -> Range<Int> {
            // A string as the encoder writes each item of `missing` and `possible`.
            var writer = JSONWriter(style: .compact)
            writer.string(text)
            let start = bytes.count
            bytes += writer.bytes
            return start..<bytes.count
        }
        pathItems = checked.inputs.map { item($0.path) }
        var wordItems: [Range<Int>] = []
        openSpans = checked.decisions.indices.map { index in
            // The member `PolicyMeaning.open` gives with nothing missing and nothing possible.
            let start = bytes.count
            let marks = DecisionEncoder.writeMember(evaluator.meaning.open(index, possible: [], missing: []).result, to: &bytes)
            let end = bytes.count
            let firstWord = wordItems.count
            wordItems += evaluator.answerTables[index].words.map(item)
            return OpenSpan(
                head: start..<marks.missing!.lowerBound, middle: marks.missing!.upperBound..<marks.possible!.lowerBound,
                tail: marks.possible!.upperBound..<end, firstWord: firstWord)
        }
        self.wordItems = wordItems
        self.bytes = bytes
    }

    /// Appends a walk's decision for a case (`Evaluator.answer` or a successful
    /// `evaluateLeaves`): the bytes `DecisionEncoder` writes for `Evaluator.evaluate`'s decision.
    func write(
        _ scratch: EvaluationScratch, caseID: String?, facts: CaseFacts, versionDate: CivilDate,
        dateSource source: Provenance.DateSource, to writer: inout JSONWriter
    ) {
        bytes.withUnsafeBufferPointer { pieces in
            spans.withUnsafeBufferPointer { spans in
                scratch.leaves.withUnsafeBufferPointer { leaves in
                  evaluator.leafIndex.withUnsafeBufferPointer { leafIndex in
                    facts.values.withUnsafeBufferPointer { values in
                        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[opening]))
                        if let caseID {
                            caseID.utf8.withContiguousStorageIfAvailable { writer.writeQuoted($0) } ?? writer.string(caseID)
                        } else {
                            writer.bytes.append(contentsOf: "null".utf8)
                        }
                        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[header]))
                        for decision in leaves.indices {
                            if decision > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                            let leaf = leaves[decision]
                            guard leaf < 0 else {
                                if case .open(let words, let missing) = scratch.combined[decision] {
                                    writeOpen(decision, words: words, missing: missing, parts: scratch.exploration.parts, pieces, &writer)
                                } else {
                                    DecisionEncoder.writeMember(evaluator.answer(decision, scratch).result, to: &writer.bytes)
                                }
                                continue
                            }
                            let span = spans[Evaluator.leafMeaning(leafIndex, evaluator.leafCount, decision, leaf)]
                            switch DueStart(span.due, values) {
                            case .none:
                                writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[span.before]))
                            case .unknown:
                                writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[span.undated]))
                            case .at(let start):
                                writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[span.before]))
                                let payerDue = evaluator.meaning.dueDate(span.due!, from: start)
                                payerDue.appendRFC3339(to: &writer.bytes)
                                if span.due!.isTurnaround, let regulatory = evaluator.meaning.regulatory {
                                    // `after` starts with the due date's closing quote; the list follows it.
                                    writer.bytes.append(pieces[span.after.lowerBound])
                                    regulatory.appendJSON(values, receivedAt: start, payerDue: payerDue, to: &writer.bytes)
                                    writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[(span.after.lowerBound + 1)..<span.after.upperBound]))
                                } else {
                                    writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[span.after]))
                                }
                            }
                        }
                        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[middle]))
                        evaluator.writeNextSteps(scratch, facts, values: values, to: &writer)
                        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[provenance]))
                        versionDate.appendISO(to: &writer.bytes)
                        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[dateSource]))
                        writer.bytes.append(contentsOf: source.rawValue.utf8)
                        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[closing]))
                    }
                  }
                }
            }
        }
    }

    /// Writes a decision that unknown inputs left open (`CombinedAnswer.open`): the member
    /// `DecisionEncoder` writes for the result `Evaluator.answer` gives it, from pieces.
    private func writeOpen(
        _ decision: Int, words: Range<Int>, missing: Range<Int>, parts: [Int], _ pieces: UnsafeBufferPointer<UInt8>,
        _ writer: inout JSONWriter
    ) {
        let open = openSpans[decision]
        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[open.head]))
        for position in missing {
            if position > missing.lowerBound { writer.bytes.append(UInt8(ascii: ",")) }
            writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[pathItems[parts[position]]]))
        }
        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[open.middle]))
        for position in words {
            if position > words.lowerBound { writer.bytes.append(UInt8(ascii: ",")) }
            writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[wordItems[open.firstWord + parts[position]]]))
        }
        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[open.tail]))
    }
}
