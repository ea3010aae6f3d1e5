// Suggestions for misspelt names in error messages: one helper for every layer (dataset names, settings
// fields and choices, spec fields, table columns), so all messages suggest alike.

/// Levenshtein distance (insertions, deletions and substitutions each cost 1) between two strings, by
/// Unicode scalar, case-insensitive.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased().unicodeScalars)
    let y = Array(b.lowercased().unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// `" (did you mean \"x\"?)"` for the candidate that starts with `name` (an abbreviation, e.g. "val"), or
/// else the candidate nearest to `name` when it is close (edit distance at most max(2, a third of the name's
/// length)); otherwise "". Ties go to the earlier candidate.
public func didYouMean(_ name: String, among candidates: [String]) -> String {
    let lower = name.lowercased()
    if lower.count >= 2, let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(lower) }) {
        return " (did you mean \"\(prefixed)\"?)"
    }
    let scored = candidates.map { (candidate: $0, distance: editDistance(name, $0)) }
    guard let best = scored.min(by: { $0.distance < $1.distance }) else { return "" }
    let limit = max(2, name.count / 3)
    return best.distance <= limit ? " (did you mean \"\(best.candidate)\"?)" : ""
}
