import Testing

@testable import GFEPlot

@Suite("Axis ticks")
struct AxisTicksTests {
    @Test("Linear: 0…0.97 gets steps of 0.2 from 0 to 1")
    func linearFractions() {
        let t = AxisTicks.make(scale: .linear, dataMin: 0, dataMax: 0.97, target: 6)
        #expect(t.lower == 0 && t.upper == 1)
        #expect(t.values == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(t.labels.map(\.text) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    @Test("Linear: 3…97 gets steps of 20 from 0 to 100; negative ranges use a minus sign")
    func linearTens() {
        let t = AxisTicks.make(scale: .linear, dataMin: 3, dataMax: 97, target: 6)
        #expect(t.values == [0, 20, 40, 60, 80, 100])
        let n = AxisTicks.make(scale: .linear, dataMin: -0.3, dataMax: 0.3, target: 4)
        #expect(n.values == [-0.4, -0.2, 0, 0.2, 0.4])
        #expect(n.labels.map(\.text) == ["−0.4", "−0.2", "0", "0.2", "0.4"])
    }

    @Test(
        "Linear with fixed limits keeps them and ticks inside; large values are labelled in units of 10ᵏ named in the axis title"
    )
    func fixedAndLarge() {
        let t = AxisTicks.make(scale: .linear, dataMin: 0, dataMax: 1, fixed: 0.05...0.95, target: 5)
        #expect(t.lower == 0.05 && t.upper == 0.95)
        #expect(t.values == [0.2, 0.4, 0.6, 0.8])
        let big = AxisTicks.make(scale: .linear, dataMin: 0, dataMax: 2_000_000, target: 5)
        #expect(big.values == [0, 500_000, 1_000_000, 1_500_000, 2_000_000])
        #expect(big.labels.map(\.description) == ["0", "0.5", "1.0", "1.5", "2.0"])
        #expect(big.multiplierPower == 6 && big.axisLabel("images seen") == "images seen (×10⁶)")
        #expect(t.multiplierPower == nil && t.axisLabel("loss") == "loss")
    }

    @Test("A single value widens to a range around it")
    func degenerate() {
        let t = AxisTicks.make(scale: .linear, dataMin: 5, dataMax: 5)
        #expect(t.lower < 5 && t.upper > 5 && t.values.contains(5))
    }

    @Test("Log: decades over several decades, extended outward to whole decades")
    func logDecades() {
        let t = AxisTicks.make(scale: .logarithmic, dataMin: 0.002, dataMax: 50)
        #expect(t.lower == 0.001 && t.upper == 100)
        #expect(t.labels.map(\.text) == ["0.001", "0.01", "0.1", "1", "10", "100"])
        #expect(abs(t.fraction(of: 0.1) - 0.4) < 1e-12)
    }

    @Test("Log: within one decade, ticks at 1…9 × 10ᵏ")
    func logWithinDecade() {
        let t = AxisTicks.make(scale: .logarithmic, dataMin: 0.085, dataMax: 0.29)
        #expect(t.lower == 0.08 && abs(t.upper - 0.3) < 1e-15)
        #expect(t.labels.map(\.text) == ["0.08", "0.09", "0.1", "0.2", "0.3"])
    }

    @Test("Log: very wide ranges skip decades and label them as powers of ten")
    func logWide() {
        let t = AxisTicks.make(scale: .logarithmic, dataMin: 1e-12, dataMax: 1e6)
        #expect(t.labels.map(\.description) == ["10^−12", "10^−9", "10^−6", "0.001", "1", "1000", "10^6"])
        #expect(t.fraction(of: 0).isNaN)
    }
}
