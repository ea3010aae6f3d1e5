import GFECore
import GFEStore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("Table diff")
struct DiffTests {
    let reference = try! CSV.parse(
        """
        # a reference table
        # columns: images_seen, percent, ae, gfe_amd
        images_seen,percent,ae,gfe_amd
        480,0.24,0.2660,0.2098
        960,0.49,0.2618,0.1987
        """, source: "ref.csv")

    func result(_ text: String) -> CSVTable { try! CSV.parse(text, source: "res.csv") }

    /// A spec's reference may compare only some rows (one dataset of Table 2): the others are not required.
    @Test func referenceRowsSelectTheComparedRows() throws {
        let spec = try ExperimentSpec.parse(
            #"{"reference": {"file": "ref.csv", "key": "images_seen", "rows": ["960"]}}"#,
            source: "exp.json")
        let settings = try #require(spec.reference)
        let selected = try settings.selectRows(of: reference)
        #expect(selected.rows == [["960", "0.49", "0.2618", "0.1987"]])
        let d = try CSVDiff.compare(
            result: result("images_seen,ae,gfe_amd\n960,0.2618,0.1987\n"), reference: selected,
            key: settings.key)
        #expect(d.passed && d.cells.count == 2)
        let absent = try ExperimentSpec.parse(
            #"{"reference": {"file": "ref.csv", "key": "images_seen", "rows": ["7"]}}"#,
            source: "exp.json")
        #expect(throws: GFEError.self) { _ = try absent.reference!.selectRows(of: reference) }
        #expect(
            ExperimentFixtures.specError(#"{"reference": {"file": "r.csv", "key": ["a", "b"], "rows": ["x"]}}"#)?
                .contains("one-column key") == true)
    }

    @Test func withinToleranceByHand() throws {
        // |0.2700 − 0.2660| = 0.0040 ≤ 0 + 0.02·0.2660 = 0.00532; |0.2000 − 0.2098| = 0.0098 > 0.02·0.2098 = 0.004196
        // but ≤ 0.05·0.2098 = 0.01049 with the column's own rtol.
        let r = result("images_seen,ae,gfe_amd\n480.0,0.2700,0.2000\n960,0.2618,0.1987\n1920,0.1,0.1\n")
        let d = try CSVDiff.compare(
            result: r, reference: reference, key: ["images_seen"],
            tolerance: DiffTolerance(rtol: 0.02, atol: 0, columnRtol: ["gfe_amd": 0.05]))
        #expect(d.passed)
        #expect(d.columns == ["ae", "gfe_amd"])
        #expect(d.notCompared == ["percent"])
        #expect(d.extraRows == 1)
        #expect(d.cells.count == 4)
        let first = d.cells[0]
        #expect(first.key == ["480"] && first.column == "ae")
        #expect(abs(first.difference! - 0.004) < 1e-12)
        #expect(abs(first.relative! - 0.004 / 0.2660) < 1e-12)
        #expect(abs(first.allowance! - 0.00532) < 1e-12)
    }

    @Test func outsideToleranceFails() throws {
        let r = result("images_seen,ae,gfe_amd\n480,0.2700,0.2000\n960,0.2618,\n")
        let d = try CSVDiff.compare(
            result: r, reference: reference, key: ["images_seen"],
            tolerance: DiffTolerance(rtol: 0.02, atol: 0))
        #expect(!d.passed)
        #expect(d.outside == 2)  // gfe_amd at 480 (0.0098 > 0.004196), and the empty cell at 960
        #expect(d.cells.first { $0.key == ["960"] && $0.column == "gfe_amd" }?.verdict == .missing)
        #expect(d.report.contains("4 cells compared"))
        #expect(d.report.contains("2 outside"))
    }

    @Test func atolAppliesNearZero() throws {
        let ref = result("k,v\na,0\n")
        #expect(try CSVDiff.compare(result: result("k,v\na,1e-9\n"), reference: ref, key: ["k"]).passed)  // atol 1e-8
        #expect(!(try CSVDiff.compare(result: result("k,v\na,1e-7\n"), reference: ref, key: ["k"]).passed))
    }

    @Test func textCellsMustBeEqual() throws {
        let ref = result("k,name\n1,amd\n")
        #expect(try CSVDiff.compare(result: result("k,name\n1,amd\n"), reference: ref, key: ["k"]).passed)
        #expect(!(try CSVDiff.compare(result: result("k,name\n1,rk4\n"), reference: ref, key: ["k"]).passed))
    }

    func expectCannotCompare(_ body: () throws -> Void, _ fragments: [String]) {
        do {
            try body()
            Issue.record("compared")
        } catch let e as ReportableError {
            #expect(e.exitCode == 2)
            for f in fragments { #expect(e.message.contains(f), "\(e.message)") }
        } catch { Issue.record("\(error)") }
    }

    @Test func missingKeyColumnIsNamed() {
        expectCannotCompare(
            { _ = try CSVDiff.compare(result: result("n,ae\n480,1\n"), reference: reference, key: ["images_seen"]) },
            ["key column 'images_seen'", "result res.csv", "n, ae"])
    }

    @Test func missingComparedColumnIsNamed() {
        expectCannotCompare(
            {
                _ = try CSVDiff.compare(
                    result: result("images_seen,ae,gfe_amd\n480,1,1\n960,1,1\n"), reference: reference,
                    key: ["images_seen"], columns: ["ae", "gfe_amdd"])
            }, ["column 'gfe_amdd'", "did you mean \"gfe_amd\""])
    }

    @Test func missingKeyRowIsNamed() {
        expectCannotCompare(
            {
                _ = try CSVDiff.compare(
                    result: result("images_seen,ae\n480,1\n"), reference: reference, key: ["images_seen"])
            }, ["no row for reference key images_seen=960"])
    }

    @Test func duplicateKeyIsNamed() {
        expectCannotCompare(
            {
                _ = try CSVDiff.compare(
                    result: result("images_seen,ae\n480,1\n480.0,2\n960,1\n"), reference: reference,
                    key: ["images_seen"])
            }, ["images_seen=480.0 twice"])
    }

    @Test func nothingInCommonCannotBeCompared() {
        expectCannotCompare(
            {
                _ = try CSVDiff.compare(
                    result: result("images_seen,x\n480,1\n"), reference: reference, key: ["images_seen"])
            }, ["no column to compare"])
    }

    @Test func toleranceForAnUncomparedColumnIsAnError() {
        expectCannotCompare(
            {
                _ = try CSVDiff.compare(
                    result: result("images_seen,ae\n480,1\n960,1\n"), reference: reference, key: ["images_seen"],
                    tolerance: DiffTolerance(columnRtol: ["gfe": 0.1]))
            }, ["--tol names the column 'gfe'"])
    }
}
