import Barometer
@testable import BarometerIO
import Foundation
import Testing

/// Column projection (issue 16, item 4): reading only some columns gives
/// exactly the variables a full read gives for them (values bit for bit,
/// types, labels, missing codes), for CSV (mapped parallel reader, streaming
/// reader, chunked reader) and ReadStat (SPSS, Stata, SAS); an unknown name
/// is a typed error naming the variable and the file.
@Suite struct ColumnSelectionTests {
    /// Field by field, values by bit pattern (NaN payloads of extended missing included).
    static func expectSame(_ a: Variable, _ b: Variable, _ context: String) {
        #expect(a.name == b.name, "\(context)")
        #expect(a.label == b.label, "\(context) label")
        #expect(a.level == b.level, "\(context) level")
        #expect(a.format == b.format, "\(context) format")
        #expect(a.valueLabels == b.valueLabels, "\(context) value labels")
        #expect(a.missing == b.missing, "\(context) missing")
        #expect(a.extendedMissingLabels == b.extendedMissingLabels, "\(context) extended labels")
        #expect(a.strings == b.strings, "\(context) strings")
        #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "\(context) values")
    }

    static func expectProjection(_ full: Dataset, _ part: Dataset, _ columns: Set<String>, _ context: String) throws {
        #expect(part.variableNames == full.variableNames.filter { columns.contains($0) }, "\(context) names")
        #expect(part.rowCount == full.rowCount, "\(context) rows")
        for name in part.variableNames { expectSame(try full.variable(name), try part.variable(name), "\(context) \(name)") }
    }

    /// A file that exercises every typing rule: numbers, a column decided by
    /// a late text (earlier NA / empty cells become their text), an all-missing
    /// column, quoted fields with delimiters, doubled quotes and line breaks.
    static let tricky: String = {
        var s = "id,num,late,lnum,empty,text,q\n"
        for i in 0..<300 {
            // late: missing tokens and empty cells, then text (a string column; earlier cells keep their text)
            let late = i < 250 ? (i % 7 == 0 ? "NA" : i % 5 == 0 ? "" : ".") : "x\(i)"
            let lnum = i < 200 ? (i % 3 == 0 ? "NA" : "") : "\(i)e-1"
            let text = i % 11 == 0 ? "\"a,\"\"b\"\"\nc\"" : "t\(i)"
            let q = i % 13 == 0 ? "." : "\(Double(i) / 7)"
            s += "\(i),\(Double(i) * 0.1),\(late),\(lnum),,\(text),\(q)\n"
        }
        return s
    }()

    static let selections: [Set<String>] = [["num"], ["late"], ["lnum"], ["empty", "text"], ["q", "id"], ["late", "lnum", "text", "q"]]

    @Test func csvProjectionEqualsFullReadForEveryPieceSize() throws {
        let full = try CSVReader.read(string: Self.tricky)
        #expect(try full.variable("late").isString && full.variable("text").isString)
        #expect(try !full.variable("lnum").isString && !full.variable("empty").isString)
        for columns in Self.selections {
            for chunk in [1, 3, 17, 256, 4 << 20] {
                for threads in [1, 2, 4] {
                    var o = CSVOptions(chunkSize: chunk, columns: columns)
                    o.threads = threads
                    let part = try CSVReader.read(string: Self.tricky, options: o)
                    try Self.expectProjection(full, part, columns, "mapped \(columns.sorted()) chunk \(chunk) threads \(threads)")
                }
                var source = MemoryByteSource(bytes: Array(Self.tricky.utf8))
                let streamed = try CSVReader.read(from: &source, codebook: nil, options: CSVOptions(chunkSize: chunk, columns: columns))
                try Self.expectProjection(full, streamed, columns, "streamed \(columns.sorted()) chunk \(chunk)")
            }
        }
    }

    @Test func csvProjectionFromAFileAndInChunks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-cols-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.csv").path
        try Self.tricky.write(toFile: path, atomically: true, encoding: .utf8)
        let full = try CSVReader.read(path: path, codebook: nil, options: .default)
        let columns: Set<String> = ["num", "late"]
        try Self.expectProjection(full, try CSVReader.read(path: path, codebook: nil, options: CSVOptions(columns: columns)), columns, "file")
        try Self.expectProjection(full, try DatasetLoader.load(path, csv: nil, columns: columns), columns, "loader")
        // The chunked reader: the chunks' rows, concatenated, are the projection.
        var nums: [Double] = [], lates: [String] = [], names: [[String]] = []
        try CSVReader.forEachChunk(path: path, codebook: nil, options: CSVOptions(columns: ["num", "q"]), chunkBytes: 512) { chunk in
            names.append(chunk.variableNames)
            nums += try chunk.variable("num").values
        }
        #expect(names.allSatisfy { $0 == ["num", "q"] })
        #expect(nums.map(\.bitPattern) == (try full.variable("num")).values.map(\.bitPattern))
        _ = lates
        #expect(try DatasetLoader.variableNames(path) == full.variableNames)
        #expect(try CSVReader.header(path: path) == full.variableNames)
    }

    @Test func codebookAppliesToKeptColumnsAndItsWeightIsAlwaysKept() throws {
        let csv = Fixture.path("Fixtures/readstat/survey.csv")
        let book = try Codebook.load(path: Fixture.path("Fixtures/readstat/survey.codebook.json"))
        let full = try CSVReader.read(path: csv, codebook: book, options: .default)
        let part = try CSVReader.read(path: csv, codebook: book, options: CSVOptions(columns: ["q1"]))
        var expected: Set<String> = ["q1"]
        if let w = book.weight { expected.insert(w) }
        try Self.expectProjection(full, part, expected, "codebook")
        #expect(part.weightVariable == full.weightVariable)
        let a = try FrequencyTable(SurveyDesign(data: full), variable: "q1")
        let b = try FrequencyTable(SurveyDesign(data: part), variable: "q1")
        #expect(a.rows.map(\.weightedCount) == b.rows.map(\.weightedCount))
        #expect(a.rows.map(\.count) == b.rows.map(\.count))
    }

    @Test func skippedColumnsAreNotTypedButStillScanned() throws {
        // A text in a numeric column that is not read is no error; the kept
        // columns' errors keep their line and column in the whole file.
        let text = "a,b,c\n1,2,3\n4,oops,6\n7,8,x\n"
        #expect(throws: CSVError.nonNumeric(CSVPosition(line: 3, column: 2, name: "b"), value: "oops")) {
            try CSVReader.read(string: text)
        }
        #expect(try CSVReader.read(string: text, options: CSVOptions(columns: ["a"])).variable("a").values == [1, 4, 7])
        #expect(throws: CSVError.nonNumeric(CSVPosition(line: 4, column: 3, name: "c"), value: "x")) {
            try CSVReader.read(string: text, options: CSVOptions(columns: ["a", "c"]))
        }
        // Structure is still checked in every column: field counts and quotes.
        #expect(throws: CSVError.tooFewFields(CSVPosition(line: 3, column: 3, name: "c"), expected: 3, actual: 2)) {
            try CSVReader.read(string: "a,b,c\n1,2,3\n4,5\n", options: CSVOptions(columns: ["a"]))
        }
        #expect(throws: CSVError.strayQuote(CSVPosition(line: 2, column: 2, name: "b"))) {
            try CSVReader.read(string: "a,b\n1,x\"y\n", options: CSVOptions(columns: ["a"]))
        }
    }

    @Test func unknownColumnIsATypedErrorNamingVariableAndFile() throws {
        let csv = Fixture.path("Fixtures/readstat/survey.csv")
        #expect(throws: ColumnSelectionError.unknownVariable("q11", file: csv, suggestions: ["q1"])) {
            try CSVReader.read(path: csv, codebook: nil, options: CSVOptions(columns: ["q1", "q11"]))
        }
        #expect(throws: ColumnSelectionError.unknownVariable("q11", file: csv, suggestions: ["q1"])) {
            try DatasetLoader.load(csv, csv: nil, columns: ["q11"])
        }
        #expect(throws: ColumnSelectionError.unknownVariable("zz", file: "the CSV input", suggestions: [])) {
            var source = MemoryByteSource(bytes: Array("a,b\n1,2\n".utf8))
            return try CSVReader.read(from: &source, codebook: nil, options: CSVOptions(columns: ["zz"]))
        }
        let sav = ReadStatReaderTests.path("survey.sav")
        #expect(throws: ReadStatError.invalidData(file: sav, error: .unknownVariable("q11", suggestions: ["q1"]))) {
            try ReadStatReader.read(path: sav, options: ReadStatOptions(columns: ["q11"]))
        }
        let message = "\(ColumnSelectionError.unknownVariable("q11", file: csv, suggestions: ["q1"]))"
        #expect(message.contains("'q11'") && message.contains(csv) && message.contains("'q1'"))
    }

    @Test func readStatProjectionEqualsFullReadForEveryFormat() throws {
        for file in ["survey.sav", "survey.zsav", "survey.por", "survey.dta", "survey.sas7bdat", "survey.xpt"] {
            let path = ReadStatReaderTests.path(file)
            let full = try DatasetLoader.load(path)
            #expect(try DatasetLoader.variableNames(path) == full.variableNames, "\(file)")
            let names = full.variableNames
            for columns in [Set([names[1]]), Set([names[0], names[names.count - 1]]), Set(names.dropFirst(2))] {
                let part = try DatasetLoader.load(path, csv: nil, columns: columns)
                var expected = columns
                if let w = full.weightVariable { expected.insert(w) }   // an SPSS file's weight is always kept
                try Self.expectProjection(full, part, expected, "\(file) \(columns.sorted())")
                #expect(part.weightVariable == full.weightVariable, "\(file)")
            }
        }
    }

    @Test func spssWeightIsKeptWhenNotSelected() throws {
        // A .sav that declares its weight (SAVWriter writes Dataset.weightVariable: the codebook's 'wt').
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-cols-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("w.sav").path
        let book = try Codebook.load(path: Fixture.path("Fixtures/readstat/survey.codebook.json"))
        try SAVWriter.write(try CSVReader.read(path: Fixture.path("Fixtures/readstat/survey.csv"), codebook: book, options: .default), to: path)
        let full = try ReadStatReader.read(path: path).dataset
        let w = try #require(full.weightVariable)
        let other = try #require(full.variableNames.first { $0 != w })
        let part = try ReadStatReader.read(path: path, options: ReadStatOptions(columns: [other])).dataset
        #expect(part.weightVariable == w)
        try Self.expectProjection(full, part, [other, w], "weight")
        let a = try FrequencyTable(SurveyDesign(data: full), variable: other)
        let b = try FrequencyTable(SurveyDesign(data: part), variable: other)
        #expect(a.rows.map(\.weightedCount) == b.rows.map(\.weightedCount))
    }
}
