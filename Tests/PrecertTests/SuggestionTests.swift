import Testing

@testable import Precert

@Suite("Suggestion")
struct SuggestionTests {
    @Test("of equally close candidates the one that sorts first wins, in whatever order they come")
    func tieIsOrderIndependent() {
        let candidates = ["visit.cost", "visit.count", "visit.mode"]
        for order in [candidates, candidates.reversed(), ["visit.mode", "visit.count", "visit.cost"]] {
            #expect(Suggestion.closest(to: "visit.cout", in: order) == "visit.cost")
        }
        #expect(Suggestion.closest(to: "acme-wast", in: Set(["acme-west", "acme-east"])) == "acme-east")
        #expect(Suggestion.closest(to: "reniew", in: ["review", "renew"]) == "renew")
    }

    @Test("a closer candidate beats one that sorts first")
    func closerWins() {
        #expect(Suggestion.closest(to: "covrage", in: ["cover", "coverage"]) == "coverage")
        #expect(Suggestion.didYouMean("turnarond", in: ["authorization", "turnaround"]) == "did you mean `turnaround`?")
    }

    @Test("no suggestion for a word too far from every candidate")
    func tooFar() {
        #expect(Suggestion.closest(to: "clinic-east", in: ["clinic-north", "clinic-south"]) == nil)
    }
}
