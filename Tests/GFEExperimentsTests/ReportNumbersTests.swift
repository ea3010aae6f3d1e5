import Foundation
import GFETestSupport
import Testing

@testable import GFEExperiments

/// REPORT.md's numbers come from the committed tables: marked tables and cells are regenerated, hand-worked
/// here, and the repository's report is in step with its tables.
@Suite struct ReportNumbersTests {
    static func root() throws -> String {
        let root = try ExperimentFixtures.temporaryFolder("report-numbers")
        try FileManager.default.createDirectory(atPath: root + "/t", withIntermediateDirectories: true)
        try
            "# gfe table: t\nimages_seen,gfe,gfe_sd,gfe_n,ae\n480,0.21156,0.00468,3,0.0086771\n1920,0.14806,0.002,3,0.012\n"
            .write(toFile: root + "/t/table.csv", atomically: true, encoding: .utf8)
        try "# the paper\nimages_seen,gfe\n480,0.2098\n1920,0.1558\n".write(
            toFile: root + "/paper.csv", atomically: true, encoding: .utf8)
        return root
    }

    @Test func tablesAndCellsAreFilledFromTheFiles() throws {
        let root = try Self.root()
        let text = """
            Intro.
            <!-- gfe:table {"file": "t/table.csv", "reference": "paper.csv", "key": "images_seen", "groupKey": true,
                 "columns": [{"column": "gfe", "label": "GFE-amd"}, {"column": "gfe", "label": "paper", "from": "reference"},
                 {"column": "ae", "label": "AE", "from": "t/table.csv"}]} -->
            | stale | table |
            <!-- /gfe -->
            GFE-amd reaches <!-- gfe:cell {"file": "t/table.csv", "column": "gfe", "row": "1920", "digits": 3} -->0.9<!-- /gfe -->,
            the AE <!-- gfe:cell {"file": "t/table.csv", "column": "ae", "row": "480", "significant": 3} --><!-- /gfe -->.
            """
        let filled = try ReportNumbers.fill(text, root: root, source: "R.md")
        #expect(filled.tables == 1 && filled.cells == 2)
        #expect(
            filled.text.contains(
                """
                | images seen | GFE-amd | paper | AE |
                |---|---|---|---|
                | 480 | 0.2116 ± 0.0047 | 0.2098 | 0.0087 |
                | 1,920 | 0.1481 ± 0.0020 | 0.1558 | 0.0120 |
                <!-- /gfe -->
                """), "\(filled.text)")
        #expect(!filled.text.contains("stale"))
        #expect(filled.text.contains("-->0.148 ± 0.002<!-- /gfe -->,"), "\(filled.text)")
        #expect(filled.text.contains("-->0.00868<!-- /gfe -->."), "\(filled.text)")
        // The seed count after the key, from the first column's `_n`.
        let counted = try ReportNumbers.fill(
            #"<!-- gfe:table {"file": "t/table.csv", "key": "images_seen", "seedCount": true, "columns": [{"column": "gfe"}]} --><!-- /gfe -->"#,
            root: root, source: "R.md")
        #expect(counted.text.contains("| 480 (n = 3) | 0.2116 ± 0.0047 |"), "\(counted.text)")
        // Filling is idempotent: a filled report is its own fill.
        #expect(try ReportNumbers.fill(filled.text, root: root, source: "R.md").text == filled.text)
    }

    @Test(
        "Bad markers name the report's line and what is wrong",
        arguments: [
            (#"<!-- gfe:cell {"file": "t/table.csv", "column": "gfe", "row": "480"} -->"#, "no closing"),
            (
                #"<!-- gfe:cell {"file": "t/nope.csv", "column": "gfe", "row": "480"} --><!-- /gfe -->"#,
                "does not exist"
            ),
            (
                #"<!-- gfe:cell {"file": "t/table.csv", "column": "vae", "row": "480"} --><!-- /gfe -->"#,
                "no column vae"
            ),
            (
                #"<!-- gfe:cell {"file": "t/table.csv", "column": "gfe", "row": "7"} --><!-- /gfe -->"#,
                "no row with images_seen = 7"
            ),
            (#"<!-- gfe:cell {"column": "gfe", "row": "480"} --><!-- /gfe -->"#, "needs \"file\""),
            (
                #"<!-- gfe:cell {"file": "t/table.csv", "column": "gfe", "row": "480", "digits": 40} --><!-- /gfe -->"#,
                "\"digits\" must be"
            ),
            (#"<!-- gfe:table {"file": "t/table.csv", "key": "images_seen"} --><!-- /gfe -->"#, "needs \"columns\"")
        ])
    func badMarkers(_ marker: String, _ message: String) throws {
        let root = try Self.root()
        #expect {
            try ReportNumbers.fill("line 1\n" + marker, root: root, source: "R.md")
        } throws: { error in
            "\(error)".contains("R.md:2") && "\(error)".contains(message)
        }
    }

    /// The committed report agrees with the committed tables (run `gfe report` after changing a table).
    @Test func repositoryReportIsInStepWithItsTables() throws {
        let results = TestPaths.repositoryRoot + "/results"
        let text = try String(contentsOfFile: results + "/REPORT.md", encoding: .utf8)
        let filled = try ReportNumbers.fill(text, root: results, source: "results/REPORT.md")
        #expect(filled.tables >= 4)
        #expect(filled.text == text, "results/REPORT.md differs from its tables: run `gfe report`")
    }
}
