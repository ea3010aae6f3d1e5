import Testing

@testable import GFEStore

@Suite("CSV")
struct CSVTests {
    @Test("quoting round-trips commas, quotes, line breaks, leading # and empty cells")
    func quotingRoundTrip() throws {
        let table = CSVTable(
            header: ["name", "value", "note"],
            rows: [
                ["plain", "1.5", ""],
                ["a,b", "say \"hi\"", "two\nlines"],
                ["#not a comment", "\r\n", " spaced "],
                ["ü", "", "\"\""]
            ], comments: ["written by a test", "", "second, with comma"])
        let text = CSV.render(table)
        let expected =
            "# written by a test\n#\n# second, with comma\n"
            + "name,value,note\n"
            + "plain,1.5,\n"
            + "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
            + "\"#not a comment\",\"\r\n\", spaced \n"
            + "ü,,\"\"\"\"\"\"\n"
        #expect(text == expected)
        let back = try CSV.parse(text, source: "t.csv")
        #expect(back.header == table.header && back.rows == table.rows && back.comments == table.comments)
        #expect(back.rowLines == [5, 6, 8, 10])  // quoted line breaks span lines
    }

    @Test("hand-written CSV: CRLF, BOM, comments anywhere, blank lines, a one-column empty row")
    func parsesHandWrittenText() throws {
        let text = "\u{FEFF}#top\r\nx,y\r\n1,2\r\n\r\n# middle\r\n3,\"4\"\r\n"
        let table = try CSV.parse(text)
        #expect(table.header == ["x", "y"])
        #expect(table.rows == [["1", "2"], ["3", "4"]])
        #expect(table.comments == ["top", "middle"])
        #expect(table.rowLines == [3, 6])
        let oneColumn = CSVTable(header: ["v"], rows: [[""], ["1"]])
        #expect(try CSV.parse(CSV.render(oneColumn)).rows == [[""], ["1"]])
        #expect(try CSV.parse("a,b").rows.isEmpty)  // header only, no final newline
    }

    @Test("typed access: columns by name and numbers, with errors naming column, row and line")
    func typedAccess() throws {
        let table = try CSV.parse(
            "# c\niteration,loss,label\n1,0.5,a\n2, 1e-3 ,b\n3,nan,c\n4,-inf,d\n", source: "curves.csv")
        #expect(try table.column("label") == ["a", "b", "c", "d"])
        let loss = try table.doubles("loss")
        #expect(loss[0] == 0.5 && loss[1] == 0.001 && loss[2].isNaN && loss[3] == -.infinity)
        #expect(try table.doubles("iteration") == [1, 2, 3, 4])
        let notNumber = #expect(throws: StoreError.self) { try table.doubles("label") }
        #expect(notNumber?.message == "curves.csv: column 'label', row 1 (line 3): \"a\" is not a number")
        #expect(notNumber?.exitCode == 2)
        let noColumn = #expect(throws: StoreError.self) { try table.column("accuracy") }
        #expect(
            noColumn?.message
                == "curves.csv: column 'accuracy': no such column; the columns are: iteration, loss, label")

        let gaps = try CSV.parse("a,b\n1,\n,2\n")
        #expect(try gaps.optionalDoubles("b") == [nil, 2])
        let empty = #expect(throws: StoreError.self) { try gaps.doubles("a") }
        #expect(empty?.message == "<text>: column 'a', row 2 (line 3): empty cell, expected a number")
    }

    @Test("malformed CSV is refused with the line")
    func malformed() {
        let cases: [(String, String)] = [
            ("a,b\n1,2,3\n", "f.csv: line 2: 3 fields, expected 2 like the header (a, b)"),
            ("a,b\n\"1,2\n", "f.csv: line 2: a quoted field is never closed (missing closing double quote)"),
            (
                "a,b\n\"1\"x,2\n",
                "f.csv: line 2: unexpected text after a closing double quote (expected a comma or the end of the line)"
            ),
            (
                "a,b\n1\"2,3\n",
                "f.csv: line 2: a double quote inside an unquoted field; enclose the whole field in double quotes and double the quote"
            ),
            ("# only a comment\n", "f.csv: no header row (the file is empty or only comments)"),
            ("", "f.csv: no header row (the file is empty or only comments)")
        ]
        for (text, message) in cases {
            let error = #expect(throws: StoreError.self) { try CSV.parse(text, source: "f.csv") }
            #expect(error?.message == message)
        }
    }

    @Test("files: written atomically, read back, missing file named")
    func files() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/table.csv"
            var table = CSVTable(header: ["k", "v"], comments: ["seed 2020"])
            try table.append(["a", CSV.cell(0.1)])
            try table.append(["b", CSV.cell(Float(0.1))])
            let badRow = #expect(throws: StoreError.self) { try table.append(["only one"]) }
            #expect(badRow?.message == "<table>: row 3: 1 fields, expected 2 (k, v)")
            try CSV.write(table, to: path)
            let back = try CSV.read(path)
            #expect(back.rows == [["a", "0.1"], ["b", "0.1"]] && back.comments == ["seed 2020"] && back.source == path)
            #expect(try back.doubles("v") == [0.1, 0.1])  // shortest round-trip text
            #expect(try folderContents(folder) == ["table.csv"])
            let missing = #expect(throws: StoreError.self) { try CSV.read(folder + "/none.csv") }
            #expect(missing?.message == "\(folder)/none.csv: could not read: No such file or directory")
        }
    }
}
