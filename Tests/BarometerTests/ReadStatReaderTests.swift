import Barometer
import BarometerIO
import Foundation
import Testing

/// Expected contents of the ReadStat fixtures, as written by pyreadstat / R
/// haven (Fixtures/reference/readstat/make_readstat.py).
struct ReadStatExpected: Decodable {
    struct LabelPair: Decodable {
        let code: Double, text: String
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            code = try c.decode(Double.self)
            text = try c.decode(String.self)
        }
    }
    struct Var: Decodable {
        let name: String
        let label: String?
        let level: String?
        let format: String?
        let values: [Double?]?
        let tags: [String?]?
        let strings: [String]?
        let valueLabels: [LabelPair]?
        let missingCodes: [Double]?
        let missingRanges: [[Double]]?
        let extendedMissingLabels: [String: String]?
    }
    let rowCount: Int
    let files: [String: [Var]]
    let formats: [String: String]

    static func load() throws -> ReadStatExpected {
        try Fixture.decode(ReadStatExpected.self, "Fixtures/readstat/expected.json")
    }
}

@Suite struct ReadStatReaderTests {
    let expected: ReadStatExpected
    init() throws { expected = try ReadStatExpected.load() }

    static func path(_ file: String) -> String { Fixture.path("Fixtures/readstat/\(file)") }

    /// Compares every variable, value, label and missing declaration with
    /// what the writer was given.
    /// `path` defaults to the fixture `file`; `file` names the expectations.
    func check(_ file: String, path: String? = nil, options: ReadStatOptions = ReadStatOptions()) throws {
        let read = try ReadStatReader.read(path: path ?? Self.path(file), options: options)
        let data = read.dataset
        let vars = try #require(expected.files[file])
        if path == nil { #expect(read.format.rawValue == expected.formats[file]) }
        #expect(data.rowCount == expected.rowCount, "\(file)")
        #expect(data.variableNames == vars.map(\.name), "\(file)")
        for e in vars {
            let v = try data.variable(e.name)
            let where_ = "\(file):\(e.name)"
            #expect(v.label == e.label, "\(where_) label")
            if let level = e.level { #expect(v.level.rawValue == level, "\(where_) level") }
            if let format = e.format { #expect(v.format == format, "\(where_) format") }
            if let strings = e.strings {
                #expect(v.isString, "\(where_) is string")
                #expect(v.strings == strings, "\(where_) strings")
                continue
            }
            #expect(!v.isString, "\(where_) is numeric")
            let values = try #require(e.values)
            #expect(v.values.count == values.count)
            for (i, (got, want)) in zip(v.values, values).enumerated() {
                if let want { #expect(got == want, "\(where_) row \(i + 1): \(got) vs \(want)") }
                else { #expect(got.isNaN, "\(where_) row \(i + 1): \(got) should be missing") }
                let wantTag = e.tags?[i].flatMap { $0 }.flatMap(\.first)
                #expect(v.extendedMissingTag(atRow: i) == wantTag, "\(where_) row \(i + 1) tag")
            }
            var labels: [Double: String] = [:]
            for p in e.valueLabels ?? [] { labels[p.code] = p.text }
            #expect(v.valueLabels == labels, "\(where_) value labels")
            let tagLabels = (read.extendedMissingLabels[e.name] ?? [:]).map { (String($0.key), $0.value) }
            #expect(Dictionary(uniqueKeysWithValues: tagLabels) == (e.extendedMissingLabels ?? [:]),
                    "\(where_) labels of extended missing values")
            #expect(v.missing.codes == (e.missingCodes ?? []), "\(where_) missing codes")
            #expect(v.missing.ranges.map { [$0.lowerBound, $0.upperBound] } == (e.missingRanges ?? []),
                    "\(where_) missing ranges")
        }
    }

    @Test func spssSav() throws { try check("survey.sav") }
    @Test func spssZsav() throws { try check("survey.zsav") }
    @Test func spssPortable() throws { try check("survey.por") }
    @Test func stata118WithExtendedMissing() throws { try check("survey.dta") }
    @Test func stata119WithLabelledExtendedMissing() throws { try check("survey_tagged_labels.dta") }
    @Test func sasTransport() throws { try check("survey.xpt") }
    @Test func sas7bdat() throws { try check("survey.sas7bdat") }

    @Test func stata114InWindows1251() throws {
        try check("survey_cp1251.dta", options: ReadStatOptions(encoding: "WINDOWS-1251"))
    }

    @Test func userMissingStaysDistinctFromSystemMissing() throws {
        let q1 = try ReadStatReader.read(path: Self.path("survey.sav")).dataset.variable("q1")
        let e = try #require(expected.files["survey.sav"]?.first { $0.name == "q1" }?.values)
        for (i, want) in e.enumerated() {
            let status = q1.status(atRow: i)
            switch want {
            case nil: #expect(status == .systemMissing)
            case 8?, 9?: #expect(status == .userMissing)
            default: #expect(status == .valid)
            }
        }
        let income = try ReadStatReader.read(path: Self.path("survey.sav")).dataset.variable("income")
        #expect(income.status(of: 98) == .userMissing)   // inside the 97 thru 99 range
        #expect(income.status(of: 10) == .valid)
    }

    @Test func ignoringUserMissingKeepsCodesAsValid() throws {
        let read = try ReadStatReader.read(path: Self.path("survey.sav"), options: ReadStatOptions(userMissing: .ignore))
        let q1 = try read.dataset.variable("q1")
        #expect(q1.missing.isEmpty)
        #expect(q1.values[4] == 8 && q1.status(atRow: 4) == .valid)
        #expect(q1.valueLabels[8] == "Затрудняюсь ответить")
        #expect(try read.dataset.variable("income").missing.isEmpty)
    }

    @Test func extendedMissingAreDistinctNaNs() throws {
        let q1 = try ReadStatReader.read(path: Self.path("survey.dta")).dataset.variable("q1")
        let tags = (0..<q1.count).map { q1.extendedMissingTag(atRow: $0) }
        #expect(tags[4] == "a" && tags[5] == "b" && tags[9] == "z")
        #expect(q1.values[7].isNaN && tags[7] == nil)                    // plain '.'
        #expect(q1.status(atRow: 4) == .systemMissing)                  // missing for analysis
        #expect(ExtendedMissing.tag(of: ExtendedMissing.value(for: "q") ?? 0) == "q")
        #expect(ExtendedMissing.tag(of: .nan) == nil && ExtendedMissing.tag(of: 1.5) == nil)
    }

    @Test func fileMetadata() throws {
        let sav = try ReadStatReader.read(path: Self.path("survey.sav"))
        #expect(sav.fileLabel == "Барометр: тестовый файл")
        #expect(sav.fileEncoding == "UTF-8")
        let dta = try ReadStatReader.read(path: Self.path("survey.dta"))
        #expect(dta.formatVersion == 118)
        let old = try ReadStatReader.read(path: Self.path("survey_cp1251.dta"), options: ReadStatOptions(encoding: "WINDOWS-1251"))
        #expect(old.formatVersion == 114)
    }

    @Test func magicBytesIdentifyEveryFormat() throws {
        for (file, format) in expected.formats {
            let head = try [UInt8](Data(contentsOf: Fixture.url("Fixtures/readstat/\(file)")).prefix(1024))
            #expect(ReadStatFormat.detect(head)?.rawValue == format, "\(file)")
        }
        #expect(ReadStatFormat.detect(Array("id,q1\n1,2\n".utf8)) == nil)
    }

    @Test func loaderFallsBackToMagicBytesWithoutExtension() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-readstat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in ["survey.sav", "survey.dta", "survey.sas7bdat", "survey.xpt", "survey.por"] {
            let target = dir.appendingPathComponent(file.replacingOccurrences(of: ".", with: "_") + ".data")
            try FileManager.default.copyItem(at: Fixture.url("Fixtures/readstat/\(file)"), to: target)
            let data = try DatasetLoader.load(target.path)
            #expect(data.rowCount == expected.rowCount, "\(file)")
            #expect(data.variableNames == expected.files[file]?.map(\.name), "\(file)")
        }
    }
}
