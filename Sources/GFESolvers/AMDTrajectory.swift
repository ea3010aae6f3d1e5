import GFECore

/// The forward trajectory of one AMD group, recorded with `AMDRecording.full`: what an unrolled decoder
/// gradient (backpropagation through the accepted Euler steps) needs.
///
/// Accepted state k+1 is z_{k+1} = z_k − T(stepSizes[k])·∇ℓ(z_k) (rounded in T); rejected attempts leave
/// no trace because they do not change z.
public struct AMDGroupTrajectory<T: Scalar>: Sendable, Equatable {
    /// Time of every accepted state, starting with 0 for z₀ (as `GroupStatistics.acceptedTimes`).
    public var times: [Double] = []
    /// The dt each accepted step moved z by (for a forced accept the tiny dt, not the time jump).
    public var stepSizes: [Double] = []
    /// z of the group's rows at every accepted state; `states[0]` is z₀.
    public var states: [Matrix<T>] = []
    /// ℓ of each of the group's images at every accepted state.
    public var sampleLosses: [[T]] = []

    public init() {}
}

/// One solve's AMD trajectories, one per group (per image in `sample` step control).
public struct AMDTrajectory<T: Scalar>: Sendable, Equatable {
    public var groups: [AMDGroupTrajectory<T>]
}

/// What an AMD solve returns.
public struct AMDSolution<T: Scalar>: Sendable {
    /// z* (n×d): each group's last accepted state.
    public var z: Matrix<T>
    public var statistics: SolveStatistics
    /// Present when `AMDSettings.record == .full`.
    public var trajectory: AMDTrajectory<T>?
}
