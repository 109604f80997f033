import Barometer
import BarometerIO
import Foundation
import Testing

/// The streaming CSV reader and JSON codebook (issue 2, item 5) against
/// Python's `csv` module, `float()` and pandas (Fixtures/reference/csv).
@Suite struct CSVReaderTests {
    /// Tiny chunk sizes put every quote, CR, LF, delimiter and BOM byte on a chunk boundary.
    static let chunkSizes = [4 << 20, 1, 2, 3, 4, 5, 7, 11, 16, 64]

    func read(_ text: String, codebook: Codebook? = nil, chunkSize: Int = 4 << 20,
              missingTokens: [String] = ["NA", "."]) throws -> Dataset {
        try CSVReader.read(string: text, codebook: codebook,
                           options: CSVOptions(chunkSize: chunkSize, missingTokens: missingTokens))
    }

    /// The error thrown by `body`, as text, asserting it is a `CSVError`.
    func csvError(_ body: () throws -> Dataset) -> (CSVError?, String) {
        do { _ = try body(); return (nil, "no error") } catch let e as CSVError { return (e, e.description) } catch {
            return (nil, "other error: \(error)")
        }
    }

    func codebookError(_ body: () throws -> Any) -> (CodebookError?, String) {
        do { _ = try body(); return (nil, "no error") } catch let e as CodebookError { return (e, e.description) } catch {
            return (nil, "other error: \(error)")
        }
    }

    // MARK: - Against references

    struct NumbersRef: Decodable {
        struct Value: Decodable { let text: String; let bits: String? }
        let values: [Value]
    }

    @Test func numbersMatchPythonFloatBitForBit() throws {
        let ref = try Fixture.decode(NumbersRef.self, "Fixtures/reference/csv/numbers.json")
        for chunk in [4 << 20, 7] {
            let data = try CSVReader.read(path: Fixture.path("Fixtures/csv/numbers.csv"), codebook: nil,
                                          options: CSVOptions(chunkSize: chunk))
            let x = try data.variable("x")
            #expect(!x.isString)
            #expect(x.count == ref.values.count)
            for (v, r) in zip(x.values, ref.values) {
                if let b = r.bits {
                    #expect(String(v.bitPattern, radix: 16).leftPadded(16) == b, "'\(r.text)' parsed as \(v)")
                } else {
                    #expect(v.isNaN, "'\(r.text)' should be system-missing")
                }
            }
        }
    }

    struct RFCRef: Decodable { let header: [String]; let rows: [[String]] }

    @Test(arguments: chunkSizes)
    func rfc4180MatchesPythonCSVModule(chunkSize: Int) throws {
        let ref = try Fixture.decode(RFCRef.self, "Fixtures/reference/csv/rfc4180.json")
        let data = try CSVReader.read(path: Fixture.path("Fixtures/csv/rfc4180.csv"), codebook: nil,
                                      options: CSVOptions(chunkSize: chunkSize))
        #expect(data.variableNames == ref.header)   // BOM stripped from the first name
        #expect(data.rowCount == ref.rows.count)    // blank line skipped, no final line end tolerated
        for (j, name) in ref.header.enumerated() {
            let v = try data.variable(name)
            let texts = ref.rows.map { $0[j] }
            if name == "name" || name == "comment" {
                #expect(v.strings == texts, "column \(name)")
            } else {
                #expect(!v.isString, "column \(name) should be numeric")
                for (x, t) in zip(v.values, texts) {
                    let trimmed = t.trimmingCharacters(in: .whitespaces)
                    if ["", "NA", "."].contains(trimmed) { #expect(x.isNaN, "'\(t)'") } else {
                        #expect(x == Double(trimmed), "'\(t)' → \(x)")
                    }
                }
            }
        }
    }

    struct ColumnRef: Decodable { let values: [Double?]?; let strings: [String]? }

    @Test func surveyMatchesPandasAndAppliesCodebook() throws {
        let ref = try Fixture.decode([String: ColumnRef].self, "Fixtures/reference/csv/survey.json")
        let data = try CSVReader.read(path: Fixture.path("Fixtures/csv/survey.csv"),
                                      codebookPath: Fixture.path("Fixtures/csv/survey.codebook.json"))
        #expect(data.variableNames == ["id", "wt", "q1", "q2", "age", "region"])
        for (name, col) in ref {
            let v = try data.variable(name)
            if let s = col.strings { #expect(v.strings == s, "\(name)") }
            if let xs = col.values {
                #expect(!v.isString)
                for (a, b) in zip(v.values, xs) { #expect(b.map { a == $0 } ?? a.isNaN, "\(name): \(a) vs \(String(describing: b))") }
            }
        }
        #expect(data.weightVariable == "wt")
        let q1 = try data.variable("q1")
        #expect(q1.label == "Opinion of Russia")
        #expect(q1.level == .ordinal)
        #expect(q1.valueLabels[1] == "Very favorable" && q1.valueLabels[8] == "Don't know" && q1.valueLabels[9] == "Refused")
        #expect(q1.missing.codes == [8, 9])
        #expect(q1.status(atRow: 2) == .userMissing && q1.status(atRow: 0) == .valid)
        let age = try data.variable("age")
        #expect(age.level == .scale && age.missing.ranges == [97...99])
        #expect(age.status(atRow: 2) == .userMissing)     // 98 in [97, 99]
        #expect(age.status(atRow: 1) == .systemMissing)   // empty
        #expect(age.status(atRow: 4) == .systemMissing)   // NA
        #expect(age.status(atRow: 6) == .systemMissing)   // .
        #expect(try data.variable("wt").format == "F4.2")
        let region = try data.variable("region")
        #expect(region.isString && region.label == "Region" && region.status(atRow: 3) == .systemMissing)
        let id = try data.variable("id")
        #expect(id.level == .nominal && id.label == nil && id.missing.isEmpty)   // not in the codebook: defaults
        let design = try SurveyDesign(data: data)
        #expect(design.weights.isWeighted && design.weights.zeroCount == 1)
        #expect(design.weights.values == ref["wt"]?.values?.compactMap { $0 })
    }

    @Test func badWeightIsReportedWithItsDataRow() throws {
        let data = try CSVReader.read(path: Fixture.path("Fixtures/csv/bad_weight.csv"),
                                      codebook: Codebook(weight: "wt"), options: .default)
        #expect(throws: BarometerError.invalidWeight(variable: "wt", row: 3, value: -1)) {
            try SurveyDesign(data: data)
        }
        let e = #expect(throws: BarometerError.self) { try SurveyDesign(data: data) }
        #expect(e?.description.contains("at data row 3") == true)
    }

    // MARK: - RFC 4180 features and reader rules

    @Test(arguments: chunkSizes)
    func quotedFieldsLineEndsAndBOM(chunkSize: Int) throws {
        let text = "\u{FEFF}a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\"l1\nl2\",\"c1\rc2\"\r\n\"crlf\r\nx\",\"\"\r\n"
        let d = try read(text, chunkSize: chunkSize)
        #expect(d.variableNames == ["a", "b"])
        #expect(try d.variable("a").strings == ["x,1", "l1\nl2", "crlf\r\nx"])
        #expect(try d.variable("b").strings == ["say \"hi\"", "c1\rc2", ""])
    }

    @Test func fieldLongerThanManyChunksCarriesOver() throws {
        let long = String(repeating: "ab\"\"c,\r\nd ", count: 400)        // 4,400 bytes as written
        let expected = String(repeating: "ab\"c,\r\nd ", count: 400)
        let text = "n,s\n1,\"\(long)\"\n2.5,x\n"
        for chunk in [7, 64, 1000] {
            let d = try read(text, chunkSize: chunk)
            #expect(try d.variable("s").strings == [expected, "x"], "chunk \(chunk)")
            #expect(try d.variable("n").values == [1, 2.5])
        }
        // Header line 1, the quoted record spans lines 2–402 (400 CRLFs), "2.5,x" is 403, "oops" 404.
        let (e, msg) = csvError { try read(text + "oops,y\n", chunkSize: 5) }
        #expect(e == .nonNumeric(CSVPosition(line: 404, column: 1, name: "n"), value: "oops"), "\(msg)")
    }

    @Test func finalLineEndIsOptionalAndLineEndsMayMix() throws {
        let forms = ["a,b\n1,2\n3,4\n", "a,b\n1,2\n3,4", "a,b\r\n1,2\r\n3,4\r\n", "a,b\r\n1,2\r\n3,4",
                     "a,b\r1,2\r3,4\r", "a,b\n1,2\r\n3,4\r", "a,b\n\n1,2\n\r\n3,4\n\n"]
        for f in forms {
            for chunk in [4096, 1, 2, 3] {
                let d = try read(f, chunkSize: chunk)
                #expect(try d.variable("a").values == [1, 3], "\(f.debugDescription) chunk \(chunk)")
                #expect(try d.variable("b").values == [2, 4], "\(f.debugDescription) chunk \(chunk)")
            }
        }
    }

    @Test func spacesAroundNumbersAndHeaderNamesAreTrimmed() throws {
        let d = try read(" a , b\n  1.5 ,\t-2\t\n\" 3 \",4e1 \n")
        #expect(d.variableNames == ["a", "b"])
        #expect(try d.variable("a").values == [1.5, 3])
        #expect(try d.variable("b").values == [-2, 40])
    }

    @Test func emptyCellsAndMissingTokensAreSystemMissing() throws {
        let d = try read("a,b,c\n1,,NA\n.,2, . \n\"\",\"NA\",3\n")
        for name in ["a", "b", "c"] { #expect(try d.variable(name).isString == false) }
        #expect(try d.variable("a").values.map(\.isNaN) == [false, true, true])
        #expect(try d.variable("b").values.map(\.isNaN) == [true, false, true])
        #expect(try d.variable("c").values.map(\.isNaN) == [true, true, false])
        // The list is an option: with only "-", "NA" is text and makes the column a string column.
        let custom = try read("a,b\n-,NA\n1,2\n", missingTokens: ["-"])
        #expect(try custom.variable("a").values.map(\.isNaN) == [true, false])
        #expect(try custom.variable("b").strings == ["NA", "2"])
    }

    @Test func stringColumnInferenceUsesFirstNonMissingValue() throws {
        let d = try read("s,n,e\n,,\nNA,1,\nabc,2,\n1,3,\n", chunkSize: 3)
        #expect(try d.variable("s").strings == ["", "NA", "abc", "1"])   // earlier cells keep their text
        let n = try d.variable("n")
        #expect(!n.isString && n.values[0].isNaN && Array(n.values.dropFirst()) == [1, 2, 3])
        let e = try d.variable("e")
        #expect(!e.isString && e.values.allSatisfy(\.isNaN))             // all empty: numeric, all missing
        // A column whose first value is a number is numeric; later text is an error.
        let (err, msg) = csvError { try read("t\nNA\n1\nx\n") }
        #expect(err == .nonNumeric(CSVPosition(line: 4, column: 1, name: "t"), value: "x"), "\(msg)")
    }

    @Test func codebookTypeOverridesInference() throws {
        let cb = Codebook(variables: [CodebookVariable(name: "zip", type: .string)])
        let d = try read("zip,n\n01234,1\n99999,2\n", codebook: cb)
        #expect(try d.variable("zip").strings == ["01234", "99999"])
        let forced = Codebook(variables: [CodebookVariable(name: "n", type: .numeric)])
        let (e, msg) = csvError { try read("n\nNA\nabc\n", codebook: forced) }
        #expect(e == .nonNumeric(CSVPosition(line: 3, column: 1, name: "n"), value: "abc"), "\(msg)")
    }

    @Test func otherDelimiterAndHeaderOnlyFile() throws {
        let d = try CSVReader.read(string: "a;b\n\"1;5\";2,5\n", options: CSVOptions(delimiter: UInt8(ascii: ";")))
        #expect(try d.variable("a").strings == ["1;5"])
        #expect(try d.variable("b").strings == ["2,5"])
        let tsv = try CSVReader.read(string: "a\tb\tc\n1\t\t2\n\t3\t \n", options: CSVOptions(delimiter: 0x09))
        #expect(try tsv.variable("a").values.map { $0.isNaN ? -1 : $0 } == [1, -1])
        #expect(try tsv.variable("b").values.map { $0.isNaN ? -1 : $0 } == [-1, 3])
        #expect(try tsv.variable("c").values.map { $0.isNaN ? -1 : $0 } == [2, -1])
        let empty = try read("a,b\r\n")
        #expect(empty.rowCount == 0 && empty.variableNames == ["a", "b"])
    }

    // MARK: - Errors name the line and column

    @Test func numericColumnMeetingTextNamesLineColumnAndValue() {
        let (e, msg) = csvError { try read("a,b\n1,2\n3,x y\n") }
        #expect(e == .nonNumeric(CSVPosition(line: 3, column: 2, name: "b"), value: "x y"))
        #expect(msg.contains("line 3, column 2 ('b')") && msg.contains("'x y'"), "\(msg)")
        // Python float() accepts these; the reader does not (documented grammar).
        for bad in ["1e", "e5", "+", "-", "1.2.3", "0x10", "inf", "nan", "1_000", "1,5", "--1", "1e+", "٣"] {
            let (e2, m2) = csvError { try read("a\n1\n\"\(bad)\"\n", chunkSize: 3) }
            #expect(e2 == .nonNumeric(CSVPosition(line: 3, column: 1, name: "a"), value: bad), "\(bad): \(m2)")
        }
    }

    @Test(arguments: [4 << 20, 1, 2, 5])
    func lineNumbersCountQuotedLineBreaks(chunkSize: Int) {
        let text = "s,n\r\n\"p\r\nq\rr\ns\",1\r\n\"\",2\r\nt,zz\r\n"
        let (e, msg) = csvError { try read(text, chunkSize: chunkSize) }
        #expect(e == .nonNumeric(CSVPosition(line: 7, column: 2, name: "n"), value: "zz"), "\(msg)")   // Python csv: line_num 7
        let (e2, msg2) = csvError { try read("a,b\n\"x\ny\",1\n2\n", chunkSize: chunkSize) }
        #expect(e2 == .tooFewFields(CSVPosition(line: 4, column: 2, name: "b"), expected: 2, actual: 1), "\(msg2)")
        #expect(msg2.contains("line 4, column 2 ('b')"))
    }

    @Test func raggedRows() {
        let (e, msg) = csvError { try read("a,b\n1,2\n3,4,5\n") }
        #expect(e == .tooManyFields(CSVPosition(line: 3, column: 3), expected: 2))
        #expect(msg.contains("line 3, column 3") && msg.contains("too many fields"), "\(msg)")
        let (e2, msg2) = csvError { try read("a,b,c\n1,2,3\n1,2") }
        #expect(e2 == .tooFewFields(CSVPosition(line: 3, column: 3, name: "c"), expected: 3, actual: 2))
        #expect(msg2.contains("line 3, column 3 ('c')") && msg2.contains("too few fields"), "\(msg2)")
    }

    @Test func quoteErrors() {
        let (e, msg) = csvError { try read("a,b\n1,\"abc\n2,3\n") }
        #expect(e == .unterminatedQuote(CSVPosition(line: 2, column: 2, name: "b")))
        #expect(msg.contains("line 2, column 2 ('b')") && msg.contains("not terminated"), "\(msg)")
        let (e2, msg2) = csvError { try read("a,b\n1,ab\"c\n") }
        #expect(e2 == .strayQuote(CSVPosition(line: 2, column: 2, name: "b")))
        #expect(msg2.contains("line 2, column 2 ('b')"), "\(msg2)")
        let (e3, msg3) = csvError { try read("a,b\n\"x\ny\",\"ab\"c\n") }
        #expect(e3 == .unexpectedAfterQuote(CSVPosition(line: 3, column: 2, name: "b"), character: "c"))
        #expect(msg3.contains("line 3, column 2 ('b')"), "\(msg3)")
    }

    @Test func headerErrors() {
        for empty in ["", "\u{FEFF}", "\n\r\n\n"] {
            let (e, msg) = csvError { try read(empty) }
            #expect(e == .noHeader, "\(empty.debugDescription): \(msg)")
            #expect(msg.contains("line 1, column 1"))
        }
        let (e, msg) = csvError { try read("a,b,a\n1,2,3\n") }
        #expect(e == .duplicateHeaderName(CSVPosition(line: 1, column: 3, name: "a"), firstColumn: 1))
        #expect(msg.contains("line 1, column 3 ('a')") && msg.contains("duplicate"), "\(msg)")
        let (e2, msg2) = csvError { try read("a, ,c\n1,2,3\n") }
        #expect(e2 == .emptyHeaderName(CSVPosition(line: 1, column: 2)))
        #expect(msg2.contains("line 1, column 2") && msg2.contains("empty header"), "\(msg2)")
    }

    @Test func invalidUTF8() {
        let header: [UInt8] = Array("a,".utf8) + [0xC3, 0x28] + Array("\n1,2\n".utf8)
        let (e, msg) = csvError { try CSVReader.read(bytes: header) }
        #expect(e == .invalidUTF8(CSVPosition(line: 1, column: 2)), "\(msg)")
        let cell: [UInt8] = Array("n,s\n1,ok\n2,\"x\n".utf8) + [0xFF] + Array("\"\n".utf8)
        let (e2, msg2) = csvError { try CSVReader.read(bytes: cell, options: CSVOptions(chunkSize: 2)) }
        #expect(e2 == .invalidUTF8(CSVPosition(line: 3, column: 2, name: "s")), "\(msg2)")
        #expect(msg2.contains("line 3, column 2 ('s')"))
    }

    @Test func fileErrorsAndOptions() throws {
        let (e, msg) = csvError { try CSVReader.read(path: "/nonexistent/x.csv") }
        #expect(e == .fileNotFound(path: "/nonexistent/x.csv") && msg.contains("/nonexistent/x.csv"))
        let dir = Fixture.path("Fixtures/csv")
        let (e2, msg2) = csvError { try CSVReader.read(path: dir) }
        if case .unreadable(let p, _)? = e2 { #expect(p == dir) } else { Issue.record("expected unreadable, got \(msg2)") }
        let (e3, _) = csvError { try read("a\n1\n", chunkSize: 0) }
        if case .invalidOptions? = e3 {} else { Issue.record("chunk size 0 accepted") }
    }

    // MARK: - Codebook errors

    func cb(_ json: String) throws -> Codebook { try Codebook.decode(Data(json.utf8)) }

    @Test func codebookJSONErrorsCarryThePath() {
        let (e, msg) = codebookError { try cb(#"{"variables": [{"name": "q1"}, {"name": "q2", "level": "ordinall"}]}"#) }
        if case .invalidJSON(let at, _)? = e { #expect(at == "variables[1].level", "\(msg)") } else { Issue.record("\(msg)") }
        let (e2, msg2) = codebookError { try cb(#"{"variables": [{"name": "q1", "missing": [8, "9"]}]}"#) }
        if case .invalidJSON(let at, _)? = e2 { #expect(at == "variables[0].missing[1]", "\(msg2)") } else { Issue.record("\(msg2)") }
        let (e3, msg3) = codebookError { try cb(#"{"variables": [{"name": "q1"}"#) }
        if case .invalidJSON? = e3 {} else { Issue.record("\(msg3)") }
        let (e4, msg4) = codebookError { try cb(#"{"variables": [{"label": "x"}]}"#) }
        if case .invalidJSON(let at, let m)? = e4 { #expect(at == "variables[0]" && m.contains("'name'"), "\(msg4)") }
        else { Issue.record("\(msg4)") }
        let (e5, msg5) = codebookError { try cb(#"{"variables": [{"name": "q1", "lable": "x"}]}"#) }
        #expect(e5 == .unknownKey("lable", at: "variables[0]"), "\(msg5)")
        let (e6, msg6) = codebookError { try Codebook.load(path: "/nonexistent/cb.json") }
        #expect(e6 == .unreadable(path: "/nonexistent/cb.json", reason: "file not found"), "\(msg6)")
    }

    @Test func codebookContentErrors() {
        let (e, msg) = codebookError { try cb(#"{"variables": [{"name": "q1", "valueLabels": {"1": "Yes", "one": "No"}}]}"#) }
        #expect(e == .invalidValueLabelKey(variable: "q1", key: "one"), "\(msg)")
        #expect(msg.contains("'one'") && msg.contains("not a number"))
        let (e2, _) = codebookError { try cb(#"{"variables": [{"name": "age", "missingRanges": [[99, 97]]}]}"#) }
        #expect(e2 == .invalidMissingRange(variable: "age", range: [99, 97]))
        let (e3, _) = codebookError { try cb(#"{"variables": [{"name": "r", "type": "string", "missing": [9]}]}"#) }
        #expect(e3 == .codesOnStringVariable("r"))
        let (e4, _) = codebookError { try cb(#"{"variables": [{"name": "a"}, {"name": "a"}]}"#) }
        #expect(e4 == .duplicateVariable("a"))
    }

    @Test func codebookMustFitTheHeader() throws {
        let csv = "id,wt,q1\n1,1,1\n"
        let (e, msg) = codebookError { try read(csv, codebook: try cb(#"{"variables": [{"name": "q11"}]}"#)) }
        #expect(e == .unknownVariable("q11", suggestions: ["q1"]))
        #expect(msg == "unknown variable 'q11' in codebook (did you mean 'q1'?)", "\(msg)")
        let (e2, msg2) = codebookError { try read(csv, codebook: Codebook(weight: "wgt")) }
        #expect(e2 == .unknownWeight("wgt", suggestions: ["wt"]), "\(msg2)")
        let (e3, msg3) = codebookError { try read("id,wt\n1,a\n", codebook: try cb(#"{"weight": "wt", "variables": [{"name": "wt", "type": "string"}]}"#)) }
        #expect(e3 == .weightNotNumeric("wt"), "\(msg3)")
        // Codes for a column that turns out to hold text.
        let (e5, msg5) = codebookError { try read("id,r\n1,North\n", codebook: try cb(#"{"variables": [{"name": "r", "missing": [9]}]}"#)) }
        #expect(e5 == .codesOnStringVariable("r"), "\(msg5)")
        // A weight column is numeric even without a type, so text in it is a CSV error with its position.
        let (e4, msg4) = csvError { try read("id,wt\n1,heavy\n", codebook: Codebook(weight: "wt")) }
        #expect(e4 == .nonNumeric(CSVPosition(line: 2, column: 2, name: "wt"), value: "heavy"), "\(msg4)")
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
