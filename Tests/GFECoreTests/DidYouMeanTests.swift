import GFECore
import Testing

/// The suggestion helper every layer's messages use; distances worked out by hand.
struct DidYouMeanTests {
    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(editDistance("kitten", "sitting") == 3)  // k→s, e→i, +g
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("abc", "") == 3)
        #expect(editDistance("MNIST", "mnist") == 0)  // case-insensitive
        #expect(editDistance("tua", "tau") == 2)  // two substitutions (no transposition)
        #expect(editDistance("batchsize", "batchSize") == 0)
    }

    @Test func suggestsAnAbbreviationsCompletionOrTheNearestCloseName() {
        #expect(didYouMean("val", among: ["train", "validation", "test"]) == #" (did you mean "validation"?)"#)
        #expect(didYouMean("tua", among: ["preset", "tau", "beta"]) == #" (did you mean "tau"?)"#)
        #expect(didYouMean("paperr", among: ["official", "paper"]) == #" (did you mean "paper"?)"#)
        // Nothing close: no suggestion (limit max(2, 7/3) = 2; "cifar10" is 5 or more edits from both).
        #expect(didYouMean("cifar10", among: ["mnist", "fashion_mnist"]) == "")
        #expect(didYouMean("x", among: []) == "")
        // A single letter is not taken as an abbreviation, but may still be within 2 edits.
        #expect(didYouMean("t", among: ["train", "tau"]) == #" (did you mean "tau"?)"#)
    }
}
