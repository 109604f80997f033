import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// The replication report (Markdown and self-contained XHTML with SVG charts)
/// and `barometer verify` end to end on the SYNTHETIC fixtures.
@Suite struct ReplicationReportTests {
    static func report(_ name: String) throws -> ReplicationReport {
        let (file, evaluation, ref) = try ClaimsEvaluatorTests.run(name)
        let data = try DatasetLoader.load(Fixture.path(ref.csv), codebook: Fixture.path(ref.codebook))
        return ReplicationReport(claims: file, evaluation: evaluation, consistency: try ConsistencyReport(file),
                                 source: ReportDataSource(file: ref.csv, data: data, weight: "wt"), labels: data)
    }

    /// Collects element names and attributes while parsing.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var ids: [String] = []
        var hrefs: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(name)
            if let id = attributes["id"] { ids.append(id) }
            for k in ["href", "src", "xlink:href"] { if let v = attributes[k] { hrefs.append(v) } }
        }
    }

    static func parse(_ html: String) -> (ok: Bool, error: String, collector: Collector) {
        let parser = XMLParser(data: Data(html.utf8))
        let c = Collector()
        parser.delegate = c
        let ok = parser.parse()
        return (ok, parser.parserError.map { "\($0)" } ?? "", c)
    }

    /// Well-formed XML; the three charts present; no script, no external
    /// resource; the SYNTHETIC data-source line on every figure.
    @Test func htmlIsWellFormedSelfContainedAndHasTheThreeCharts() throws {
        let ponars = try Self.report("kz2019-synthetic").html
        let p = Self.parse(ponars)
        #expect(p.ok, "\(p.error)")
        #expect(p.collector.elements.first == "html")
        #expect(p.collector.ids.contains("likert") && p.collector.ids.contains("heatmap"))
        #expect(!p.collector.elements.contains("script") && !p.collector.elements.contains("link")
                && !p.collector.elements.contains("img") && p.collector.hrefs.isEmpty)
        // The only URLs are XML namespace names.
        #expect(ponars.components(separatedBy: "http").count == ponars.components(separatedBy: "xmlns=\"http://www.w3.org/").count)
        // Likert chart: three Table 1 questions, published and recomputed rows each.
        #expect(ponars.components(separatedBy: ">Recomputed (SYNTHETIC)</text>").count - 1 == 3)
        #expect(ponars.components(separatedBy: ">Published</text>").count - 1 == 3)
        // Heat map: 6 pairs × (r, partial r | leadership).
        #expect(ponars.contains("partial r | q_leader_opinion") && ponars.contains("+0.360"))
        let figures = ponars.components(separatedBy: "<figure>").count - 1
        #expect(figures == 2)
        #expect(ponars.components(separatedBy: "Data source: SYNTHETIC fixture survey kz2019-synthetic.csv").count - 1 >= figures + 2)
        #expect(ponars.contains("87-vs-89") && ponars.contains("INCONSISTENT"))

        let odr = try Self.report("kz2020-synthetic").html
        let o = Self.parse(odr)
        #expect(o.ok, "\(o.error)")
        #expect(o.collector.ids.contains("grouped-q-presence"))
        for country in [">Russia<", ">The USA<", ">China<"] { #expect(odr.contains(country)) }
        #expect(odr.contains("Data source: SYNTHETIC fixture survey kz2020-synthetic.csv"))
    }

    @Test func markdownCarriesTheDataSourceAndBothTables() throws {
        let md = try Self.report("kz2019-synthetic-perturbed").markdown
        #expect(md.contains("Data source: SYNTHETIC fixture survey kz2019-synthetic-perturbed.csv"))
        let row = md.split(separator: "\n").first { $0.hasPrefix("| ponars658.p4.us-favorable-given-russia-favorable | 55% | 69.98 |") }
        #expect(row?.hasSuffix("| fail |") == true, "\(row ?? "no row")")
        #expect(md.contains("ponars658.check.russia-favorable.87-vs-89"))
    }

    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Opens the report in headless Chromium (Debian package `chromium`,
    /// installed by `make deps`): exit 0, no error about the page on stderr
    /// (the sandbox's D-Bus complaints are about the machine, not the page),
    /// and a non-trivial PNG screenshot.
    @Test(.enabled(if: chromium != nil, "needs Debian's chromium (make deps installs it)"), .timeLimit(.minutes(1)))
    func opensInHeadlessChromiumWithoutErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = try Self.report("kz2019-synthetic").write(to: dir.path)
        let html = try #require(paths.first { $0.hasSuffix(".html") })
        let png = dir.appendingPathComponent("shot.png")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
        p.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                       "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
                       "--screenshot=\(png.path)", "--window-size=1200,2000", "file://\(html)"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(stderr)")
        let pageErrors = stderr.split(separator: "\n").filter { line in
            !line.contains("dbus") && !line.contains("unexpected operator")
                && (line.contains("ERROR") || line.contains("CONSOLE") || line.contains("Uncaught") || line.contains("net::ERR"))
        }
        #expect(pageErrors.isEmpty, "\(pageErrors)")
        let bytes = try Data(contentsOf: png)
        #expect(bytes.count > 50_000)
        #expect(bytes.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }

    /// `barometer verify`: exit 0 on the fixture, 1 on the perturbed twin
    /// with exactly the moved claim failing; JSON output; reports written.
    @Test func verifyCommandExitStatusAndReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-verify-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = try CLI.run(["verify", "Fixtures/memos/odr-2020.claims.json", "--data", "Fixtures/surveys/kz2020-synthetic.csv",
                              "--codebook", "Fixtures/surveys/kz2020-synthetic.codebook.json", "--report-dir", dir.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("odr2020.presence.russia.same") && ok.stdout.contains("Data source: SYNTHETIC"))
        for ext in ["md", "html"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("odr-2020.report.\(ext)").path))
        }
        let bad = try CLI.run(["verify", "Fixtures/memos/ponars-658.claims.json", "--data", "Fixtures/surveys/kz2019-synthetic-perturbed.csv",
                               "--codebook", "Fixtures/surveys/kz2019-synthetic-perturbed.codebook.json",
                               "--report-dir", dir.path, "--format", "json"])
        #expect(bad.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        let evals = try #require(json["evaluations"] as? [[String: Any]])
        #expect(evals.filter { $0["status"] as? String == "fail" }.compactMap { $0["id"] as? String }
                == ["ponars658.p4.us-favorable-given-russia-favorable"])
    }

    /// `--map`: a researcher's file with other variable names (and no
    /// codebook) gives the same figures as the fixture; its report does not
    /// call it synthetic.
    @Test func verifyWithAMappingFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOfFile: Fixture.path("Fixtures/surveys/kz2020-synthetic.csv"), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        lines[0] = lines[0].replacingOccurrences(of: "q_presence_russia", with: "PRES_RU").replacingOccurrences(of: "wt", with: "W")
        let csv = dir.appendingPathComponent("theirs.csv"), map = dir.appendingPathComponent("map.json")
        try lines.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        try #"{"format": "barometer-mapping/1", "claims": "odr-2020", "weight": "W", "variables": {"q_presence_russia": {"name": "PRES_RU"}}}"#
            .write(to: map, atomically: true, encoding: .utf8)
        let r = try CLI.run(["verify", "Fixtures/memos/odr-2020.claims.json", "--data", csv.path, "--map", map.path,
                             "--report-dir", dir.path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let evals = try #require(json["evaluations"] as? [[String: Any]])
        let same = try #require(evals.first { $0["id"] as? String == "odr2020.presence.russia.same" })
        let est = try #require(same["estimate"] as? [String: Any])
        let ref = try #require(try ClaimsEvaluatorTests.reference().datasets["kz2020-synthetic"]?.figures["odr2020.presence.russia.same"])
        #expect(close(try #require(est["value"] as? Double), ref.value, rel: 1e-10))
        #expect(json["weight"] as? String == "W")
        let md = try String(contentsOf: dir.appendingPathComponent("odr-2020.report.md"), encoding: .utf8)
        #expect(md.contains("Data source: theirs.csv") && !md.contains("SYNTHETIC fixture"))
    }
}
