import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

/// The one limit on a sweep's points, however they are added, and a spec check linear in their number.
@Suite struct SweepSizeTests {
    static func axis(_ count: Int) -> String {
        "[" + (0..<count).map { String(1000 + $0) }.joined(separator: ",") + "]"
    }

    @Test func seedsOfEveryKindCountTowardTheLimit() throws {
        let text = #"{"sweep": {"axes": {"method": ["ae", "gfe"], "encoder.tau": \#(Self.axis(600))}}}"#
        #expect(ExperimentFixtures.specError(text) == nil)  // 1,200 points
        // --seeds multiplies the points after the spec was read: still refused, before any point is made.
        let withSeeds = try SeedChoice(parsing: "200").apply(to: try ExperimentSpec.parse(text, source: "exp.json"))
        let refusal = #expect(throws: GFEError.self) { try ResolvedExperiment(spec: withSeeds) }
        #expect(refusal?.message.contains("240,000 points (seeds included), more than 100,000") == true)
        // A "seeds" list in the spec counts as well.
        let listed = #"{"seeds": \#(Self.axis(100)), "sweep": {"axes": {"encoder.tau": \#(Self.axis(1001))}}}"#
        #expect(ExperimentFixtures.specError(listed)?.contains("100,100 points") == true)
    }

    /// 20,000 seeds: the check that took minutes when it compared every seed with every other (the debug
    /// build resolves them in seconds now); every run keeps its own seed and its own id.
    @Test func manySeedsResolveEachWithItsOwnSeed() throws {
        let seeds = (0..<20_000).map(String.init).joined(separator: ",")
        let plan = try ExperimentFixtures.plan(#"{"seeds": [\#(seeds)]}"#)
        #expect(plan.runs.count == 20_000)
        #expect(plan.runs.enumerated().allSatisfy { i, run in run.config.seed == UInt64(i) })
        #expect(plan.runs[7].point.resolved.objectValue?["seed"] == JSONValue(UInt64(7)))
        #expect(Set(plan.runs.map(\.id)).count == 20_000)
        // Shared decoding gives what decoding each run alone gives.
        let alone = try ExperimentFixtures.plan(#"{"seeds": [12345]}"#)
        #expect(plan.runs[12345].id == alone.runs[0].id && plan.runs[12345].config == alone.runs[0].config)
        // A repeated seed is named at its second place.
        let repeated = ExperimentFixtures.specError(#"{"seeds": [\#(seeds),17]}"#)
        #expect(repeated?.contains("$.seeds[20000]: 17 repeats $.seeds[17]") == true, "\(repeated ?? "accepted")")
    }
}
