import Barometer
import BarometerIO
import Foundation
import Testing

/// The banner book's files read back by independent tools: the .xlsx by
/// LibreOffice (headless, every sheet converted to CSV), whose numbers must
/// equal the book's JSON values; the HTML by headless Chromium.
@Suite struct BannerReportTests {
    static let soffice: String? = ["/usr/bin/soffice", "/usr/bin/libreoffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let args = ["banner", "Fixtures/surveys/kz2019-synthetic.csv", "--codebook", "Fixtures/surveys/kz2019-synthetic.codebook.json",
                       "--rows", "q_russia_opinion", "--rows", "q_us_opinion", "--mean", "q_leader_opinion",
                       "--cols", "lang", "--cols", "agegroup", "--sig", "0.05,0.01"]

    static func tempDir(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func run(_ exe: String, _ arguments: [String], in dir: URL) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        p.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self))
    }

    /// Simple CSV split (LibreOffice quotes only fields with separators or quotes).
    static func fields(_ line: Substring) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        var it = line.makeIterator()
        while let ch = it.next() {
            if ch == "\"" { quoted.toggle(); continue }
            if ch == "," && !quoted { out.append(cur); cur = ""; continue }
            cur.append(ch)
        }
        out.append(cur)
        return out
    }

    @Test(.enabled(if: soffice != nil, "needs LibreOffice (make deps installs libreoffice-calc-nogui)"), .timeLimit(.minutes(2)))
    func xlsxReadByLibreOfficeEqualsTheJSON() throws {
        let dir = try Self.tempDir("xlsx")
        defer { try? FileManager.default.removeItem(at: dir) }
        let xlsx = dir.appendingPathComponent("book.xlsx").path
        let json = try CLI.run(Self.args + ["--format", "json", "--out", xlsx])
        #expect(json.status == 0, "\(json.stderr)")
        let book = try JSONDecoder().decode(BannerBook.self, from: Data(json.stdout.utf8))
        let (status, _) = try Self.run(try #require(Self.soffice),
            ["--headless", "-env:UserInstallation=file://\(dir.path)/profile",
             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir.path, xlsx], in: dir)
        #expect(status == 0)
        for table in book.tables {
            let csv = try String(contentsOf: dir.appendingPathComponent("book-\(table.variable).csv"), encoding: .utf8)
            // LibreOffice leaves trailing empty cells out: read past the end as "".
            let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(Self.fields).map { l in { (i: Int) in i < l.count ? l[i] : "" } }
            #expect(lines[0](0) == "\(table.title) (\(table.variable))")
            #expect(book.columns.indices.map { lines[2](1 + 2 * $0) } == book.columns.map { $0.letter.isEmpty ? $0.label : "\($0.label) (\($0.letter))" })
            for (r, row) in table.rows.enumerated() where 3 + r < lines.count {
                let line = lines[3 + r]
                #expect(line(0) == row.label)
                for (c, cell) in row.cells.enumerated() {
                    let shown = Double(line(1 + 2 * c))
                    #expect(close(shown ?? .nan, cell.value ?? .nan, rel: 1e-13), "\(table.variable) row \(r) column \(c): \(line(1 + 2 * c)) vs \(cell.value ?? .nan)")
                    #expect(line(2 + 2 * c) == cell.letters)
                }
            }
            guard lines.count > 5 + table.rows.count else { Issue.record("sheet \(table.variable) too short"); continue }
            let effective = lines[3 + table.rows.count + 2]
            #expect(effective(0) == "Effective base")
            for (c, b) in table.bases.enumerated() { #expect(close(Double(effective(1 + 2 * c)) ?? .nan, b.effective, rel: 1e-13)) }
        }
    }

    @Test(.enabled(if: chromium != nil, "needs Debian's chromium (make deps installs it)"), .timeLimit(.minutes(1)))
    func htmlBookOpensInHeadlessChromium() throws {
        let dir = try Self.tempDir("banner-html")
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = dir.appendingPathComponent("book.html").path
        let json = try CLI.run(Self.args + ["--format", "json", "--out", html])
        #expect(json.status == 0, "\(json.stderr)")
        let book = try JSONDecoder().decode(BannerBook.self, from: Data(json.stdout.utf8))
        let (status, dom) = try Self.run(try #require(Self.chromium),
            ["--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.path)/profile", "--dump-dom", "file://\(html)"], in: dir)
        #expect(status == 0)
        #expect(dom.components(separatedBy: "<table>").count - 1 == book.tables.count)
        // The first cell of the first table, as the book formats it, with its letters as a superscript.
        let first = try #require(book.tables.first?.rows.first?.cells.dropFirst().first { !$0.letters.isEmpty })
        #expect(dom.contains("<td>\(NumberFormat.fixed(first.value, 1))<sup>\(first.letters)</sup></td>"))
        #expect(dom.contains("Effective base"))
    }
}
