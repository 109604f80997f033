@testable import Barometer
@testable import BarometerIO
import Foundation
import Testing

/// SPSS/Stata streaming: ``ReadStatReader/forEachChunk(path:format:options:columns:chunkRows:_:)``
/// hands over chunks of rows as ReadStat parses them; concatenated they are the
/// in-memory dataset (values bit for bit, tagged Stata missing values included,
/// labels, value labels, missing codes, levels), and `partial` over them merges
/// to the command's result on the whole file.
@Suite struct ReadStatStreamingTests {
    static let files = ["Fixtures/readstat/survey.sav", "Fixtures/readstat/survey.dta",
                        "Fixtures/readstat/survey_tagged_labels.dta", "Fixtures/readstat/survey_cp1251.dta"]

    static func options(_ f: String) -> ReadStatOptions {
        ReadStatOptions(encoding: f.contains("cp1251") ? "WINDOWS-1251" : nil)
    }

    @Test(arguments: [1, 5, 7, 1000])
    func chunksConcatenateToTheInMemoryDataset(chunkRows: Int) throws {
        for f in Self.files {
            let path = Fixture.path(f)
            let whole = try DatasetLoader.load(path, options: Self.options(f), csv: nil)
            var chunks: [Dataset] = []
            try ReadStatReader.forEachChunk(path: path, options: Self.options(f), chunkRows: chunkRows) { chunks.append($0) }
            #expect(chunks.count == (whole.rowCount + chunkRows - 1) / chunkRows, "\(f)")
            #expect(chunks.dropLast().allSatisfy { $0.rowCount == chunkRows })
            #expect(chunks.map(\.rowCount).reduce(0, +) == whole.rowCount)
            #expect(chunks.allSatisfy { $0.weightVariable == whole.weightVariable })
            for v in whole.variables {
                let parts = chunks.compactMap { $0[v.name] }
                #expect(parts.count == chunks.count, "\(f): \(v.name) in every chunk")
                let values = parts.flatMap(\.values)
                #expect(values.map(\.bitPattern) == v.values.map(\.bitPattern), "\(f): \(v.name) values")
                #expect(parts.flatMap { $0.strings ?? [] } == (v.strings ?? []), "\(f): \(v.name) strings")
                for p in parts {
                    #expect(p.label == v.label && p.valueLabels == v.valueLabels && p.missing == v.missing
                            && p.level == v.level && p.extendedMissingLabels == v.extendedMissingLabels,
                            "\(f): \(v.name) metadata")
                }
            }
        }
    }

    /// Only the named columns are kept; an unknown name is a typed error.
    @Test func selectedColumnsOnly() throws {
        let path = Fixture.path("Fixtures/readstat/survey.sav")
        var names: Set<[String]> = [], rows = 0
        try ReadStatReader.forEachChunk(path: path, columns: ["q1", "wt"], chunkRows: 5) { d in
            names.insert(d.variables.map(\.name)); rows += d.rowCount
        }
        #expect(names == [["q1", "wt"]] && rows == 12)
        #expect(throws: ReadStatError.self) {
            try ReadStatReader.forEachChunk(path: path, columns: ["q1", "nope"]) { _ in }
        }
        // An error thrown by the consumer stops the parse and comes back unchanged.
        struct Stop: Error {}
        var seen = 0
        #expect(throws: Stop.self) {
            try ReadStatReader.forEachChunk(path: path, chunkRows: 2) { _ in seen += 1; if seen == 2 { throw Stop() } }
        }
        #expect(seen == 2)
    }

    /// `partial` streams .sav/.dta files in chunks of rows: the merged state prints
    /// what the command prints on the whole file (JSON at 1e-12, counts exact).
    @Test(arguments: [1, 4, 5])
    func cliStreamedPartialOfSPSSAndStataEqualsTheWholeFile(chunkRows: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-rs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sav = Fixture.path("Fixtures/readstat/survey.sav"), dta = Fixture.path("Fixtures/readstat/survey.dta")
        let cases: [(String, [String])] = [
            (sav, ["freq", "q1", "--weight", "wt"]),
            (sav, ["crosstab", "--rows", "q1", "--cols", "income"]),
            (sav, ["mean", "age", "income", "--weight", "wt", "--where", "age > 30"]),
            (dta, ["freq", "q1"]),
            (dta, ["corr", "wt", "q1", "--where", "id > 2"]),
        ]
        for (k, (file, cmd)) in cases.enumerated() {
            let state = dir.appendingPathComponent("s\(k).state").path
            let r = try CLI.run(["partial", cmd[0], file] + cmd.dropFirst()
                                + ["--state-out", state, "--chunk-rows", String(chunkRows)])
            #expect(r.status == 0, "\(cmd): \(r.stderr)")
            let merged = try CLI.run(["merge", state, "--format", "json"])
            let single = try CLI.run([cmd[0], file] + cmd.dropFirst() + ["--format", "json"])
            #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
            // Domain estimates: the merged state carries which rows are in the domain, so its df is
            // the domain's (R degf(subset(design, …))) as on the whole file: compared with the rest.
            let m = try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8))
            let w = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8))
            AccumulationTests.compareJSON(m, w, path: "\(file) \(cmd.joined(separator: " "))")
        }
    }
}
