import Barometer
import BarometerIO
import Foundation
import Testing

/// `--version`, subcommand suggestions, standard input and pipes,
/// `--delimiter`, `--provenance` and the SHA-256 behind it (issue 23).
/// Digests: Python `hashlib` (`Fixtures/reference/library/make_library.py`).
@Suite struct CLIConveniencesTests {
    struct Reference: Decodable {
        struct Digests: Decodable { let files: [String: String]; let strings: [String: String] }
        let sha256: Digests
    }
    let ref: Reference
    static let api = "Fixtures/reference/design/apistrat.csv"
    init() throws { ref = try Fixture.decode(Reference.self, "Fixtures/reference/library/expected.json") }

    /// Runs the CLI with `input` written to its standard input through a pipe.
    func run(_ arguments: [String], stdin input: Data) throws -> CLI.Result {
        let p = Process()
        p.executableURL = try CLI.binary()
        p.arguments = arguments
        p.currentDirectoryURL = Fixture.root
        let inPipe = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = inPipe
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let writer = Thread {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: r, as: UTF8.self))
    }

    @Test func sha256MatchesHashlib() throws {
        for (key, digest) in ref.sha256.strings {
            let bytes: [UInt8]
            if key == "a*1000000" { bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000) }
            else if key.hasPrefix("x*"), let n = Int(key.dropFirst(2)) { bytes = [UInt8](repeating: UInt8(ascii: "x"), count: n) }
            else { bytes = Array(key.utf8) }
            #expect(SHA256.hexDigest(of: bytes) == digest, "\(key)")
        }
        // streamed in uneven pieces: the same digest
        var s = SHA256()
        let a = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var i = 0, step = 1
        while i < a.count { let j = min(a.count, i + step); s.update(a[i..<j]); i = j; step = step * 3 % 997 + 1 }
        #expect(s.hexDigest() == ref.sha256.strings["a*1000000"])
        for (path, digest) in ref.sha256.files {
            let input = try SHA256.file(Fixture.path(path))
            #expect(input.sha256 == digest, "\(path)")
            #expect(input.bytes == (try Data(contentsOf: Fixture.url(path))).count)
        }
    }

    @Test func versionAndSuggestions() throws {
        let v = try CLI.run(["--version"])
        #expect(v.status == 0 && v.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == Provenance.barometerVersion)
        let typo = try CLI.run(["frq", "data.csv", "q1"])
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("unknown subcommand 'frq'. Did you mean 'freq'?"))
        let swapped = try CLI.run(["crosstba"])
        #expect(swapped.stderr.contains("Did you mean 'crosstab'?"))
        let far = try CLI.run(["zzzzzzzz"])
        #expect(far.status == 64 && !far.stderr.contains("Did you mean") && far.stderr.contains("Subcommands: describe, freq"))
        // real subcommands and options are untouched
        #expect(try CLI.run(["help", "freq"]).status == 0)
    }

    @Test func standardInputAndPipes() throws {
        let bytes = try Data(contentsOf: Fixture.url(Self.api))
        let fromFile = try CLI.run(["freq", Self.api, "stype", "--weight", "pw", "--format", "json"])
        #expect(fromFile.status == 0)
        for name in ["-", "/dev/stdin"] {
            let piped = try run(["freq", name, "stype", "--weight", "pw", "--format", "json"], stdin: bytes)
            #expect(piped.status == 0, "\(name): \(piped.stderr)")
            #expect(piped.stdout == fromFile.stdout, "\(name)")
        }
    }

    @Test func delimiterOption() throws {
        let text = try String(contentsOf: Fixture.url(Self.api), encoding: .utf8)
        #expect(!text.contains(";") && !text.contains("\t"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-delim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let semi = dir.appendingPathComponent("api.txt"), tsv = dir.appendingPathComponent("api.tsv")
        try text.replacingOccurrences(of: ",", with: ";").write(to: semi, atomically: true, encoding: .utf8)
        try text.replacingOccurrences(of: ",", with: "\t").write(to: tsv, atomically: true, encoding: .utf8)
        let args = ["crosstab", "--rows", "stype", "--cols", "sch_wide", "--weight", "pw", "--format", "json"]
        let csv = try CLI.run(args + [Self.api])
        #expect(csv.status == 0)
        let bySemicolon = try CLI.run(args + [semi.path, "--delimiter", ";"])
        #expect(bySemicolon.status == 0, "\(bySemicolon.stderr)")
        #expect(bySemicolon.stdout == csv.stdout)
        for extra in [[], ["--delimiter", "tab"], ["--delimiter", "\\t"]] {
            let byTab = try CLI.run(args + [tsv.path] + extra)
            #expect(byTab.stdout == csv.stdout, "\(extra): \(byTab.stderr)")
        }
        let piped = try run(["mean", "-", "api00", "--weight", "pw", "--delimiter", ";", "--format", "json"],
                            stdin: Data(text.replacingOccurrences(of: ",", with: ";").utf8))
        #expect(piped.stdout == (try CLI.run(["mean", Self.api, "api00", "--weight", "pw", "--format", "json"])).stdout)
        let bad = try CLI.run(args + [Self.api, "--delimiter", "ab"])
        #expect(bad.status != 0 && bad.stderr.contains("--delimiter must be one ASCII character"))
    }

    @Test func provenanceInJSONTablesAndReports() throws {
        let digest = try #require(ref.sha256.files[Self.api])
        let plain = try CLI.run(["freq", Self.api, "stype", "--format", "json"])
        #expect(!plain.stdout.contains("provenance"))
        let r = try CLI.run(["freq", Self.api, "stype", "--format", "json", "--provenance"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let plainObject = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys).subtracting(plainObject.keys) == ["provenance"])
        let p = try OutputFormat.decodeJSON(Provenance.self, from: String(decoding: try JSONSerialization.data(withJSONObject: object["provenance"] as Any), as: UTF8.self))
        #expect(p.version == Provenance.barometerVersion && p.tool == "barometer")
        #expect(p.inputs == [Provenance.Input(path: Self.api, sha256: digest, bytes: try Data(contentsOf: Fixture.url(Self.api)).count)])
        #expect(p.options == ["freq", Self.api, "stype", "--format", "json", "--provenance"])
        let f = ISO8601DateFormatter()
        let time = try #require(f.date(from: p.time))
        #expect(abs(time.timeIntervalSinceNow) < 600)
        // standard input: the digest of the bytes that came through the pipe
        let piped = try run(["freq", "-", "stype", "--format", "json", "--provenance"], stdin: try Data(contentsOf: Fixture.url(Self.api)))
        #expect(piped.stdout.contains("\"sha256\" : \"\(digest)\""), "\(piped.stderr)")
        // tables: closing lines
        let table = try CLI.run(["freq", Self.api, "stype", "--provenance"])
        #expect(table.stdout.contains("Produced by barometer \(Provenance.barometerVersion) at "))
        #expect(table.stdout.contains("Input \(Self.api): "))
        #expect(table.stdout.contains("SHA-256 \(digest)"))
        // companion output (crosstab --stats) keeps one document with provenance
        let stats = try CLI.run(["crosstab", Self.api, "--rows", "stype", "--cols", "sch_wide", "--stats", "chisq", "--format", "json", "--provenance"])
        let so = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(Set(so.keys) == ["result", "statistics", "provenance"])
    }

    @Test func verifyReportCarriesProvenance() throws {
        let data = "Fixtures/surveys/kz2019-synthetic.csv"
        let digest = try #require(ref.sha256.files[data])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-prov-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["verify", "Fixtures/memos/ponars-658.claims.json", "--data", data,
                             "--codebook", "Fixtures/surveys/kz2019-synthetic.codebook.json",
                             "--report-dir", dir.path, "--provenance"])
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOf: dir.appendingPathComponent("ponars-658.report.md"), encoding: .utf8)
        let html = try String(contentsOf: dir.appendingPathComponent("ponars-658.report.html"), encoding: .utf8)
        for text in [md, html] {
            #expect(text.contains("Produced by barometer \(Provenance.barometerVersion)"))
            #expect(text.contains("SHA-256 \(digest)"))
            #expect(text.contains("ponars-658.claims.json"))
        }
    }

    /// Banner books written as HTML and .xlsx with `--provenance` say what produced them (version,
    /// input with hashlib's SHA-256 of the fixture, Fixtures/reference/library/expected.json); without
    /// the flag they carry no provenance. The workbook is read with Python's zipfile (independent of ZIPFoundation).
    @Test func bannerBooksCarryProvenance() throws {
        let data = "Fixtures/surveys/kz2019-synthetic.csv"
        let digest = try #require(ref.sha256.files[data])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-bprov-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["banner", data, "--codebook", "Fixtures/surveys/kz2019-synthetic.codebook.json",
                    "--spec", "Fixtures/surveys/kz2019-banner.json"]
        for name in ["book.html", "book.xlsx", "plain.html"] {
            let out = dir.appendingPathComponent(name).path
            let r = try CLI.run(base + ["--out", out] + (name.hasPrefix("plain") ? [] : ["--provenance"]))
            #expect(r.status == 0, "\(r.stderr)")
        }
        let html = try String(contentsOf: dir.appendingPathComponent("book.html"), encoding: .utf8)
        #expect(html.contains("Produced by barometer \(Provenance.barometerVersion)") && html.contains("SHA-256 \(digest)"))
        let plain = try String(contentsOf: dir.appendingPathComponent("plain.html"), encoding: .utf8)
        #expect(!plain.contains("SHA-256"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                       + "print('\\n'.join(z.read(n).decode() for n in z.namelist() if n.endswith('.xml')))",
                       dir.appendingPathComponent("book.xlsx").path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let xml = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(xml.contains("Provenance") && xml.contains("SHA-256 \(digest)"))
    }

    /// CSV output with `--provenance`: leading `# ` comment lines (pandas `read_csv(comment="#")`, R
    /// `read.csv(comment.char = "#")`), once per run, then exactly the CSV without provenance;
    /// the digest is hashlib's (Fixtures/reference/library/expected.json).
    @Test func provenanceAsCSVComments() throws {
        let digest = try #require(ref.sha256.files[Self.api])
        for args in [["freq", Self.api, "stype", "--weight", "pw"],
                     ["crosstab", Self.api, "--rows", "stype", "--cols", "sch_wide", "--stats", "chisq"],
                     ["mean", Self.api, "api00", "--weight", "pw", "--by", "stype", "--compare"]] {
            let plain = try CLI.run(args + ["--format", "csv"])
            let r = try CLI.run(args + ["--format", "csv", "--provenance"])
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            let comments = lines.prefix { $0.hasPrefix("# ") }
            #expect(comments.count == 3, "\(args[0]): \(r.stdout)")
            #expect(comments.first?.hasPrefix("# Produced by barometer \(Provenance.barometerVersion) at ") == true)
            #expect(comments.contains { $0.contains("SHA-256 \(digest)") })
            #expect(comments.last?.hasPrefix("# Options: \(args[0]) ") == true)
            #expect(lines.dropFirst(comments.count).joined(separator: "\n") == plain.stdout)
            #expect(!lines.dropFirst(comments.count).contains { $0.hasPrefix("#") })
        }
        // Without --provenance no comment line (CSV stays plain for readers without comment support).
        #expect(!(try CLI.run(["freq", Self.api, "stype", "--format", "csv"])).stdout.hasPrefix("#"))
    }

    @Test func pcorrMethodHelpListsWhatItAccepts() throws {
        let help = try CLI.run(["pcorr", "--help"])
        #expect(help.stdout.contains("values: pearson, spearman;"))
        #expect(!help.stdout.contains("kendall"))
        let r = try CLI.run(["pcorr", Self.api, "api00", "api99", "--method", "kendall"])
        #expect(r.status != 0 && r.stderr.contains("kendall"))
    }
}
