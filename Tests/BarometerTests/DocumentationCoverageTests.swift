import Foundation
import Testing

/// Documentation coverage of every public library module (issue 23: "every public symbol
/// documented"), read from the symbol graphs of the modules `swift build` just built.
///
/// Modules: every target of every `.library(...)` product in `Package.swift`, so a module added
/// to the package (the `BarometerIO` split into formats and reports) is checked without editing
/// this test.
///
/// Rule: a public or open symbol is documented when the symbol graph gives it a doc comment with
/// text: its own `///` comment, or the one it inherits from the protocol requirement it implements
/// in the standard library or Foundation (`init(from:)`, `encode(to:)`, `description`, `==`,
/// `errorDescription`, `init(rawValue:)` …; `swift-symbolgraph-extract` attaches that comment with
/// the protocol's module). Compiler-synthesized members (`Codable`, `Equatable`, `Hashable`
/// conformances, memberwise inits) are skipped (`-skip-synthesized-members`), as DocC documents
/// them on the protocol. Everything else counts: types, properties, methods, initializers, enum
/// cases, our own protocols' requirements.
///
/// `Fixtures/docs/undocumented.txt` lists the symbols still without documentation (module and
/// path, one a line). The test fails when a public symbol is undocumented and not listed (new
/// API must come documented) and when a listed symbol is documented or gone (the list only
/// shrinks); the goal is an empty list. `BAROMETER_WRITE_UNDOCUMENTED=1 swift test --filter
/// DocumentationCoverage` rewrites the list. Cost: one `swift-symbolgraph-extract` per module (≈ 3 s
/// each here); the modules must have been built (`swift test` builds them).
@Suite struct DocumentationCoverageTests {
    /// The library modules named by `Package.swift`'s `.library` products.
    static func libraryModules() throws -> [String] {
        let manifest = try String(contentsOf: Fixture.url("Package.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\.library\(\s*name:\s*"[^"]+"\s*,\s*(?:type:\s*\.\w+\s*,\s*)?targets:\s*\[([^\]]*)\]"#)
        var modules: [String] = []
        let ns = manifest as NSString
        for m in pattern.matches(in: manifest, range: NSRange(location: 0, length: ns.length)) {
            let list = ns.substring(with: m.range(at: 1))
            for part in list.split(separator: ",") {
                let name = part.trimmingCharacters(in: CharacterSet(charactersIn: " \n\t\""))
                if !name.isEmpty && !modules.contains(name) { modules.append(name) }
            }
        }
        return modules
    }

    struct Symbol: Decodable {
        struct Kind: Decodable { let identifier: String }
        struct DocComment: Decodable {
            struct Line: Decodable { let text: String }
            let lines: [Line]
        }
        let kind: Kind
        let pathComponents: [String]
        let accessLevel: String
        let docComment: DocComment?
        let spi: Bool?
    }
    struct Graph: Decodable { let symbols: [Symbol] }

    /// `Module path.components (kind)` of each public symbol without documentation.
    static func undocumented(module: String, graph: Graph) -> [String] {
        graph.symbols.filter { s in
            guard s.accessLevel == "public" || s.accessLevel == "open", s.spi != true else { return false }
            let text = s.docComment?.lines.map(\.text).joined().trimmingCharacters(in: .whitespaces) ?? ""
            return text.isEmpty
        }.map { "\(module) \($0.pathComponents.joined(separator: ".")) (\($0.kind.identifier.replacingOccurrences(of: "swift.", with: "")))" }
    }

    /// The build directory holding `Modules/` next to this test binary.
    static func binDirectory() throws -> URL {
        let exe = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Modules").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no Modules/ directory near \(exe.path)"])
    }

    /// Directories holding the C module maps the modules import (system libraries, dependencies).
    static func moduleMapDirectories() -> [String] {
        var dirs: [String] = []
        for base in [Fixture.url("Sources"), Fixture.url(".build/checkouts")] {
            guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in e where url.lastPathComponent == "module.modulemap" {
                dirs.append(url.deletingLastPathComponent().path)
            }
        }
        return dirs.sorted()
    }

    static func extract(_ module: String, bin: URL, into dir: URL) throws -> Graph {
        let triple = bin.deletingLastPathComponent().lastPathComponent     // .build/<triple>/debug
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift-symbolgraph-extract", "-module-name", module, "-target", triple,
                       "-I", bin.appendingPathComponent("Modules").path,
                       "-minimum-access-level", "public", "-skip-synthesized-members",
                       "-output-dir", dir.path] + moduleMapDirectories().flatMap { ["-I", $0] }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey:
                "swift-symbolgraph-extract \(module) failed: \(String(decoding: message, as: UTF8.self))"])
        }
        let data = try Data(contentsOf: dir.appendingPathComponent("\(module).symbols.json"))
        return try JSONDecoder().decode(Graph.self, from: data)
    }

    @Test func manifestNamesTheLibraryModules() throws {
        let modules = try Self.libraryModules()
        #expect(modules.contains("Barometer"))
        #expect(modules.contains("BarometerIO"))
    }

    #if os(Linux)
    @Test(.timeLimit(.minutes(3)))
    func everyPublicSymbolIsDocumented() throws {
        let bin = try Self.binDirectory()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-symbols-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var missing: [String] = []
        var total = 0
        for module in try Self.libraryModules() {
            let graph = try Self.extract(module, bin: bin, into: dir)
            let publicCount = graph.symbols.filter { ($0.accessLevel == "public" || $0.accessLevel == "open") && $0.spi != true }.count
            let undocumented = Self.undocumented(module: module, graph: graph)
            total += publicCount
            missing += undocumented
            print("Documentation coverage \(module): \(publicCount - undocumented.count)/\(publicCount) public symbols")
        }
        #expect(total > 0)
        let listPath = Fixture.url("Fixtures/docs/undocumented.txt")
        if ProcessInfo.processInfo.environment["BAROMETER_WRITE_UNDOCUMENTED"] == "1" {
            let header = "# Public symbols still without documentation (DocumentationCoverageTests); the list only shrinks.\n"
            try (header + missing.sorted().map { $0 + "\n" }.joined()).write(to: listPath, atomically: true, encoding: .utf8)
        }
        let listed = (try? String(contentsOf: listPath, encoding: .utf8)) ?? ""
        let baseline = Set(listed.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") })
        let new = missing.filter { !baseline.contains($0) }.sorted()
        let stale = baseline.subtracting(missing).sorted()
        #expect(new.isEmpty, "public symbols without documentation (add a /// comment):\n\(new.joined(separator: "\n"))")
        #expect(stale.isEmpty, "documented now or gone; remove from Fixtures/docs/undocumented.txt:\n\(stale.joined(separator: "\n"))")
    }
    #endif
}
