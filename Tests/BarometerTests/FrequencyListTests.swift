@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// `barometer freq FILE v1 v2 … vN` (SPSS FREQUENCIES' variable list): every table in the
/// order given, each exactly what `freq FILE vk` prints (text, CSV, Markdown; a blank line
/// between tables), JSON `{"result": [one document per variable]}`; the tables against the
/// pandas and R survey references of `Fixtures/reference/frequencies/` (`make_weighted_dk.py`,
/// `make_weighted_dk.R`); `partial freq v1 … vN` states (payload kind 13, format 5) merged over
/// random shard splits in random orders equal the single pass; an unknown variable in the list
/// is the usual typed error naming it.
@Suite struct FrequencyListTests {
    typealias A = AccumulationTests
    static let variables = ["q_russia_opinion", "sex", "q_us_opinion"]

    /// Option sets run with the list: weights, the missing rule, a domain, groups (crossed).
    static let optionSets: [[String]] = [
        ["--weight", "wt"],
        ["--weight", "wt", "--exclude-missing", "--where", "lang == 1"],
        ["--by", "agegroup"],
        ["--weight", "wt", "--by", "agegroup", "--by", "lang", "--exclude-missing"],
    ]

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func listPrintsEachSingleVariableOutputInTurn() throws {
        let cb = Fixture.path(A.codebook), file = Fixture.path(A.survey)
        for options in Self.optionSets {
            let grouped = options.contains("--by")
            for format in ["table", "json"] + (options == Self.optionSets[1] ? ["csv", "markdown"] : []) {
                let what = "\(options) \(format)"
                let run = { (vars: [String]) throws -> CLI.Result in
                    try CLI.run(["freq", file, "--codebook", cb] + vars + options + ["--format", format])
                }
                let list = try run(Self.variables)
                #expect(list.status == 0, "\(what): \(list.stderr)")
                let singles = try Self.variables.map { try run([$0]) }
                #expect(singles.allSatisfy { $0.status == 0 })
                if format != "json" {
                    #expect(list.stdout == singles.map(\.stdout).joined(separator: "\n"), "\(what)")
                    #expect(list.stderr == singles.map(\.stderr).joined(), "\(what): warnings")
                    continue
                }
                // JSON: {"result": [per variable the single document (with --by: its "result")]}.
                let doc = try #require(try Self.json(list.stdout) as? [String: Any], "\(what)")
                #expect(Set(doc.keys) == ["result"])
                let entries = try #require(doc["result"] as? [Any])
                #expect(entries.count == Self.variables.count, "\(what)")
                for (entry, single) in zip(entries, singles) {
                    var expected = try Self.json(single.stdout)
                    if grouped { expected = try #require((expected as? [String: Any])?["result"], "\(what)") }
                    #expect(try Self.canonical(entry) == Self.canonical(expected), "\(what)")
                }
            }
        }
        // One variable keeps today's JSON: the table itself, no list.
        let one = try CLI.run(["freq", file, "--codebook", cb, "sex", "--format", "json"])
        #expect((try Self.json(one.stdout) as? [String: Any])?["variable"] as? String == "sex")
    }

    struct TableList: Decodable { let result: [FrequencyTable] }

    /// The tables of a list against the independent references: pandas (every row, totals, Kish n)
    /// and R survey's `svytable` (weighted counts); with `--where`, pandas on the subset.
    @Test func listTablesMatchPandasAndRSurvey() throws {
        let ref = try FrequencyTableTests()
        let dir = FrequencyTableTests.dir
        let csv = Fixture.path(dir + "weighted-dk.csv"), cb = Fixture.path(dir + "weighted-dk.codebook.json")
        let r = try CLI.run(["freq", csv, "--codebook", cb, "opinion", "region", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let tables = try OutputFormat.decodeJSON(TableList.self, from: r.stdout).result
        #expect(tables.map(\.variable) == ["opinion", "region"])
        ref.check(tables[0], against: try #require(ref.pandas.tables["opinion"]))
        ref.check(tables[1], against: try #require(ref.pandas.tables["region"]))
        for (table, weighted) in [(tables[0], ref.r.opinion_weighted), (tables[1], ref.r.region_weighted)] {
            for (code, w) in weighted {
                let row = try #require(table.rows.first { $0.category.code == Double(code) }, "\(table.variable) \(code)")
                #expect(close(row.weightedCount, w, rel: 1e-10), "\(table.variable) \(code)")
            }
        }
        let domain = try CLI.run(["freq", csv, "--codebook", cb, "opinion", "region", "--where", "region in 1,3", "--format", "json"])
        let inDomain = try OutputFormat.decodeJSON(TableList.self, from: domain.stdout).result
        ref.check(inDomain[0], against: try #require(ref.pandas.tables["opinion|region in {1,3}"]))
        #expect(inDomain[1].rows.filter { $0.count > 0 }.compactMap(\.category.code) == [1, 3])
    }

    /// `partial freq v1 … vN` over 2–8 random row shards, each state through its bytes, merged
    /// in random order: every table equals the single pass (counts exact, sums at 1e-12, text
    /// identical), with and without groups, a domain and the missing rule.
    @Test(arguments: [(UInt64(131), 2), (132, 3), (133, 5), (134, 8)])
    func shardsOfAListEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try A.kz()
        let cases: [([String], MissingInclusion, String?)] = [([], .showMissing, nil), ([], .excludeMissing, "lang == 1"),
                                                              (["agegroup"], .showMissing, nil), (["agegroup", "lang"], .excludeMissing, "sex == 2")]
        for (by, missing, whereText) in cases {
            let design = try SurveyDesign(data: data)
            let domain = try whereText.map { try DomainExpression($0).domain(in: data) }
            let m = try A.merged(data, seed: seed + UInt64(by.count), shards: shards) { part in
                try PartialResult.frequencies(SurveyDesign(data: part), variables: Self.variables, by: by, missing: missing,
                                              domain: try whereText.map { try DomainExpression($0).domain(in: part) },
                                              design: ["weight": "wt"])
            }
            let what = "by \(by), \(missing), where \(whereText ?? "-"), \(shards) shards"
            switch try m.finalize() {
            case .frequencies(let tables):
                #expect(by.isEmpty && tables.count == Self.variables.count, "\(what)")
                for (t, name) in zip(tables, Self.variables) {
                    Self.expectSame(t, try FrequencyTable(design, variable: name, domain: domain, missing: missing), "\(what): \(name)")
                }
            case .groupedFrequencies(let list):
                #expect(!by.isEmpty && list.count == Self.variables.count, "\(what)")
                for (g, name) in zip(list, Self.variables) {
                    let whole = try FrequencyTable.grouped(design, variable: name, by: by, domain: domain, missing: missing)
                    #expect(g.groups.map(\.label) == whole.groups.map(\.label) && g.groups.map(\.count) == whole.groups.map(\.count))
                    for (a, b) in zip(g.groups, whole.groups) {
                        A.same(a.weightedCount, b.weightedCount, "\(what): \(name) \(b.label) Σw")
                        if let s = a.result, let t = b.result { Self.expectSame(s, t, "\(what): \(name) \(b.label)") }
                        else { #expect(a.result == nil && b.result == nil && a.note == b.note) }
                    }
                    #expect(g.textTable == whole.textTable && g.groupTables == whole.groupTables, "\(what): \(name) text")
                }
            default: Issue.record("\(what): not frequency tables")
            }
        }
    }

    static func expectSame(_ t: FrequencyTable, _ whole: FrequencyTable, _ what: String) {
        #expect(t.rows.map(\.category) == whole.rows.map(\.category) && t.rows.map(\.count) == whole.rows.map(\.count), "\(what)")
        #expect(t.totalCount == whole.totalCount && t.validCount == whole.validCount, "\(what)")
        for (a, b) in zip(t.rows, whole.rows) {
            A.same(a.weightedCount, b.weightedCount, "\(what) \(b.category.label) weighted")
            A.same(a.percent, b.percent, "\(what) percent")
            A.same(a.validPercent, b.validPercent, "\(what) valid percent")
            A.same(a.cumulativePercent, b.cumulativePercent, "\(what) cumulative percent")
        }
        A.same(t.effectiveSize, whole.effectiveSize, "\(what) Kish n_eff")
        #expect(t.textTable == whole.textTable, "\(what): text")
    }

    /// The CLI: `partial freq FILE v1 … vN` on CSV shards and streamed in small chunks, `merge` in
    /// shuffled order prints what `freq FILE v1 … vN` prints (text identical, JSON at 1e-12).
    @Test func cliPartialListEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-freqlist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 135)
        let parts = try A.shardedSurvey(into: 5, in: dir, &g)
        let cb = Fixture.path(A.codebook), whole = Fixture.path(A.survey)
        for (c, options) in Self.optionSets.enumerated() {
            let args = Self.variables + options
            let states = try A.partialStates("freq", shards: parts, codebook: cb, arguments: args, in: dir, prefix: "s\(c)_")
            let streamed = dir.appendingPathComponent("streamed\(c).state").path
            let s = try CLI.run(["partial", "freq", whole, "--codebook", cb] + args + ["--state-out", streamed, "--chunk-bytes", "8192"])
            #expect(s.status == 0, "\(s.stderr)")
            let single = try CLI.run(["freq", whole, "--codebook", cb] + args)
            let singleJSON = try CLI.run(["freq", whole, "--codebook", cb] + args + ["--format", "json"])
            for list in [states.shuffled(using: &g), [streamed]] {
                let merged = try CLI.run(["merge"] + list)
                #expect(merged.status == 0 && merged.stdout == single.stdout, "\(options): \(merged.stderr)")
                let json = try CLI.run(["merge"] + list + ["--format", "json"])
                A.compareJSON(try Self.json(json.stdout), try Self.json(singleJSON.stdout), path: "freq \(options)")
            }
        }
        // A state of one variable and one of the list refuse to merge (different variables).
        let one = dir.appendingPathComponent("one.state").path
        _ = try CLI.run(["partial", "freq", parts[0], "--codebook", cb, Self.variables[0], "--weight", "wt", "--state-out", one])
        let mix = try CLI.run(["merge", one, dir.appendingPathComponent("s0_1.state").path])
        #expect(mix.status != 0 && mix.stderr.contains("cannot merge") && mix.stderr.contains("variables"), "\(mix.stderr)")
    }

    /// An unknown variable anywhere in the list is `unknownVariable` naming it (and the file), in
    /// memory, in `partial` and in the library; a variable listed twice is refused.
    @Test func unknownVariableInTheListIsNamed() throws {
        let cb = Fixture.path(A.codebook), file = Fixture.path(A.survey)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-freqbad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for command in [["freq"], ["partial", "freq"]] {
            let r = try CLI.run(command + [file, "--codebook", cb, "sex", "q_rusia_opinion", "agegroup"]
                                + (command.count > 1 ? ["--state-out", dir.appendingPathComponent("x.state").path] : []))
            #expect(r.status != 0 && r.stderr.contains("unknown variable 'q_rusia_opinion'") && r.stderr.contains("q_russia_opinion"),
                    "\(command): \(r.stderr)")
            let twice = try CLI.run(command + [file, "--codebook", cb, "sex", "agegroup", "sex"]
                                    + (command.count > 1 ? ["--state-out", dir.appendingPathComponent("y.state").path] : []))
            #expect(twice.status != 0 && twice.stderr.contains("'sex' is listed twice"), "\(command): \(twice.stderr)")
        }
        let design = try SurveyDesign(data: A.kz())
        let e = #expect(throws: BarometerError.self) {
            try PartialResult.frequencies(design, variables: ["sex", "nosuch"], missing: .showMissing, design: [:])
        }
        if case .unknownVariable(let name, _)? = e { #expect(name == "nosuch") } else { Issue.record("\(String(describing: e))") }
    }

    /// One variable keeps the single-variable state (payload kind 1, or 9 with `--by`), so its
    /// state merges with those written before the list existed.
    @Test func oneVariableKeepsTheSingleVariableState() throws {
        let data = try A.kz(), design = try SurveyDesign(data: data)
        let list = try PartialResult.frequencies(design, variables: ["sex"], missing: .showMissing, design: ["weight": "wt"])
        let single = try PartialResult.frequency(design, variable: "sex", missing: .showMissing, design: ["weight": "wt"])
        #expect(list.encoded() == single.encoded())
        let byList = try PartialResult.frequencies(design, variables: ["sex"], by: ["lang"], missing: .showMissing, design: [:])
        let bySingle = try PartialResult.groupedFrequency(design, variable: "sex", by: ["lang"], missing: .showMissing, design: [:])
        #expect(byList.encoded() == bySingle.encoded())
    }

    /// States of the list for the decoder's mutation test and the `state` fuzz seeds.
    static func seedStates() throws -> [[UInt8]] {
        let data = try DatasetLoader.load(Fixture.path(FrequencyTableTests.dir + "weighted-dk.csv"),
                                          codebook: Fixture.path(FrequencyTableTests.dir + "weighted-dk.codebook.json"))
        let design = try SurveyDesign(data: data)
        return [try PartialResult.frequencies(design, variables: ["opinion", "region"], missing: .showMissing,
                                              domain: try DomainExpression("region != 4").domain(in: data), design: ["weight": "wt"]).encoded(),
                try PartialResult.frequencies(try SurveyDesign(data: AccumulationTests.kz()), variables: ["q_russia_opinion", "sex"],
                                              by: ["agegroup"], missing: .excludeMissing, design: ["weight": "wt"]).encoded()]
    }
}
