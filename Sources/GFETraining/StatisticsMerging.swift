import GFESolvers

extension SolveStatistics {
    /// The statistics of consecutive solves of consecutive row ranges as one solve of all their rows:
    /// groups and per-image arrays concatenated in order, each part's group rows shifted by the rows before
    /// it and `sampleGroup` by the groups before it; calls and evaluated rows summed.
    public static func concatenating(_ parts: [SolveStatistics]) -> SolveStatistics {
        var out = SolveStatistics(
            groups: [], sampleLoss: [], sampleGradientNorm: [], sampleFinalTime: [],
            sampleResult: [], sampleGroup: [], objectiveCalls: 0, evaluatedRows: 0)
        for part in parts {
            let rowOffset = out.sampleLoss.count
            let groupOffset = out.groups.count
            out.groups += part.groups.map { g in
                var g = g
                g.rowStart += rowOffset
                return g
            }
            out.sampleLoss += part.sampleLoss
            out.sampleGradientNorm += part.sampleGradientNorm
            out.sampleFinalTime += part.sampleFinalTime
            out.sampleResult += part.sampleResult
            out.sampleGroup += part.sampleGroup.map { $0 + groupOffset }
            out.objectiveCalls += part.objectiveCalls
            out.evaluatedRows += part.evaluatedRows
        }
        return out
    }

    /// Number of groups whose solve converged (AMD's stop rule fired).
    public var convergedGroups: Int { groups.filter(\.converged).count }
}
