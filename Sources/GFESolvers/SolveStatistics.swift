/// How a solve ended (SPEC §4).
public enum SolveResult: String, Codable, Sendable, CaseIterable {
    /// AMD's stop rule fired: the mean of numpy.gradient over the last 5 group-mean losses fell below c.
    case converged
    /// The whole time span was used: AMD's t reached τ (possibly overshooting by one step), the fixed grid
    /// reached its last point, the one-step encoder took its step.
    case reachedTau
    /// A loss or gradient was NaN or ±∞. The returned state is the last point whose loss and gradient were
    /// finite (the solve stopped there); no NaN is ever passed on silently.
    case nonFinite
    /// The attempt budget (`AMDSettings.maxAttempts`) ran out before τ or convergence.
    case budgetExhausted
}

/// Counters and outcome of one group: B images sharing one step-size state (in AMD `sample` mode every
/// image is its own group of one; for the fixed-grid and one-step encoders a group is just a row range).
public struct GroupStatistics: Codable, Sendable, Equatable {
    /// First row of the group in the solved batch, and its number of rows.
    public var rowStart: Int
    public var rowCount: Int
    /// Objective evaluations this group took part in: one forward and one backward pass of its rows each,
    /// including the evaluation at the starting point (AMD: 1 + attempts; RK4: 4 per interval + 1).
    public var evaluations: Int
    /// AMD: trial points evaluated (= accepted + rejected, plus 1 if the solve stopped on a non-finite trial).
    /// Fixed grid: Runge–Kutta stage evaluations. One-step: 1.
    public var attempts: Int
    /// Steps taken, forced accepts included (fixed grid: grid intervals integrated).
    public var accepted: Int
    /// AMD trials that failed the acceptance test and were retried with β·dt.
    public var rejected: Int
    /// AMD accepts forced because dt fell below β^K (the line search "failed": z moved by the tiny step,
    /// t jumped by min(jump, τ − t)). Also counted in `accepted`.
    public var forced: Int
    /// The time reached (AMD: may exceed τ by up to one step; fixed grid: the last finite grid point).
    public var finalTime: Double
    public var result: SolveResult
    /// AMD, when recording was requested: the time of every accepted state, starting with 0 for z₀.
    public var acceptedTimes: [Double]?
    /// AMD, when recording was requested: the group-mean loss (Double mean of the per-image losses) at every
    /// accepted state, starting with the value at z₀.
    public var meanLossTrajectory: [Double]?

    public var rows: Range<Int> { rowStart..<(rowStart + rowCount) }
    public var converged: Bool { result == .converged }

    public init(
        rowStart: Int, rowCount: Int, evaluations: Int = 0, attempts: Int = 0, accepted: Int = 0,
        rejected: Int = 0, forced: Int = 0, finalTime: Double = 0, result: SolveResult = .reachedTau,
        acceptedTimes: [Double]? = nil, meanLossTrajectory: [Double]? = nil
    ) {
        self.rowStart = rowStart
        self.rowCount = rowCount
        self.evaluations = evaluations
        self.attempts = attempts
        self.accepted = accepted
        self.rejected = rejected
        self.forced = forced
        self.finalTime = finalTime
        self.result = result
        self.acceptedTimes = acceptedTimes
        self.meanLossTrajectory = meanLossTrajectory
    }
}

/// Statistics of one solve of n images in G groups (SPEC §4: evaluations, accepted / rejected / forced steps,
/// final t, converged, per-sample ℓ and ‖∇_z ℓ‖ at z*, result code).
public struct SolveStatistics: Codable, Sendable, Equatable {
    public var groups: [GroupStatistics]
    /// ℓᵢ at the returned z*ᵢ (Float values widened exactly to Double).
    public var sampleLoss: [Double]
    /// ‖∇_{zᵢ} ℓᵢ‖ at the returned z*ᵢ (the sum of squares taken in Double).
    public var sampleGradientNorm: [Double]
    /// The time each image's returned state belongs to (its group's final time in AMD).
    public var sampleFinalTime: [Double]
    /// Each image's outcome (its group's in AMD; the fixed grid stops single non-finite rows).
    public var sampleResult: [SolveResult]
    /// Index into `groups` of each image's group.
    public var sampleGroup: [Int]
    /// Calls of `LatentObjective.lossAndGradient` made (one tall matrix per round in grouped solving).
    public var objectiveCalls: Int
    /// Rows evaluated over all calls: the forward/backward work done, in images.
    public var evaluatedRows: Int

    public init(
        groups: [GroupStatistics], sampleLoss: [Double], sampleGradientNorm: [Double],
        sampleFinalTime: [Double], sampleResult: [SolveResult], sampleGroup: [Int],
        objectiveCalls: Int, evaluatedRows: Int
    ) {
        self.groups = groups
        self.sampleLoss = sampleLoss
        self.sampleGradientNorm = sampleGradientNorm
        self.sampleFinalTime = sampleFinalTime
        self.sampleResult = sampleResult
        self.sampleGroup = sampleGroup
        self.objectiveCalls = objectiveCalls
        self.evaluatedRows = evaluatedRows
    }

    public var sampleCount: Int { sampleLoss.count }
    /// Mean of ℓᵢ over the images (the reported "cross entropy" when the objective is the decoder's).
    public var meanLoss: Double { sampleLoss.isEmpty ? .nan : sampleLoss.reduce(0, +) / Double(sampleLoss.count) }
    /// Sums over the groups.
    public var evaluations: Int { groups.reduce(0) { $0 + $1.evaluations } }
    public var attempts: Int { groups.reduce(0) { $0 + $1.attempts } }
    public var accepted: Int { groups.reduce(0) { $0 + $1.accepted } }
    public var rejected: Int { groups.reduce(0) { $0 + $1.rejected } }
    public var forced: Int { groups.reduce(0) { $0 + $1.forced } }
    public var allConverged: Bool { groups.allSatisfy(\.converged) }
    /// Number of groups per result code.
    public var resultCounts: [SolveResult: Int] {
        var counts: [SolveResult: Int] = [:]
        for g in groups { counts[g.result, default: 0] += 1 }
        return counts
    }
    /// The statistics of image `i`'s group.
    public func group(ofSample i: Int) -> GroupStatistics { groups[sampleGroup[i]] }
}

extension SolveStatistics {
    /// The statistics of a solve that evaluates every row together, `evaluations` times (the fixed grid, the
    /// one-step encoder, the latent optimisers): one group per range of `ranges`, its counters set by
    /// `counters` on a group that already has its rows and `evaluations`.
    init(
        rowsTogether ranges: [Range<Int>], evaluations: Int, sampleLoss: [Double], sampleGradientNorm: [Double],
        sampleFinalTime: [Double], sampleResult: [SolveResult], counters: (Range<Int>, inout GroupStatistics) -> Void
    ) {
        var groupOf = [Int](repeating: 0, count: sampleLoss.count)
        let groups = ranges.enumerated().map { gi, r -> GroupStatistics in
            for i in r { groupOf[i] = gi }
            var g = GroupStatistics(rowStart: r.lowerBound, rowCount: r.count, evaluations: evaluations)
            counters(r, &g)
            return g
        }
        self.init(
            groups: groups, sampleLoss: sampleLoss, sampleGradientNorm: sampleGradientNorm,
            sampleFinalTime: sampleFinalTime, sampleResult: sampleResult, sampleGroup: groupOf,
            objectiveCalls: evaluations, evaluatedRows: evaluations * sampleLoss.count)
    }
}
