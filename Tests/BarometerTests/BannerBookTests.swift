import Barometer
import BarometerIO
import Foundation
import Testing

/// Banner books against independent references: R `survey` (svyratio with
/// covmat, svyby, svycontrast, degf of the subset) for the design-based column
/// test under weights-only, stratified-cluster and JK1 designs; SPSS Custom
/// Tables' column proportions z-test written out in Python. Data, scripts and
/// JSON in `Fixtures/reference/banner/`.
@Suite struct BannerBookTests {
    struct Pair: Decodable { let a: Int; let b: Int; let difference: Double; let se: Double; let t: Double; let df: Double; let p: Double }
    struct Row: Decodable { let label: String; let estimates: [Double]; let se: [Double]; let pairs: [Pair] }
    struct Table: Decodable { let df: Double; let rows: [Row] }
    typealias Design = [String: Table]
    struct SVY: Decodable { let weights: Design; let cluster: Design; let jk1: Design }

    struct SPSSPair: Decodable { let a: Int; let b: Int; let difference: Double; let se: Double; let z: Double; let p: Double; let pBonferroni: Double }
    struct SPSSRow: Decodable { let p: [Double]; let pairs: [SPSSPair]; let letters: [String] }
    struct SPSSTable: Decodable { let effectiveBases: [Double]; let rows: [SPSSRow] }

    static let dir = "Fixtures/reference/banner/"

    static func spec(test: BannerSpecification.Test, adjust: PValueAdjustment = .none, mean: Bool = true) -> BannerSpecification {
        var stubs: [BannerSpecification.Stub] = [.init(variable: "q1", nets: [.init(label: "Favourable", codes: [1, 2])]),
                                                 .init(variable: "q2")]
        if mean { stubs.append(.init(variable: "score", kind: .mean)) }
        stubs.append(.init(variable: "reasons", kind: .multipleResponse, nets: [.init(label: "Economy or security", codes: [2, 3])],
                           variables: ["reason1", "reason2"]))
        return BannerSpecification(stubs: stubs,
                                   banner: [.init(variable: "region", nets: [.init(label: "North or South", codes: [1, 2])]),
                                            .init(variable: "sex")],
                                   test: test, levels: [0.05, 0.01], adjust: adjust)
    }

    static func data(_ file: String) throws -> Dataset {
        try DatasetLoader.load(Fixture.path(dir + file), codebook: Fixture.path(dir + "banner_survey.codebook.json"))
    }

    static func check(_ book: BannerBook, _ ref: Design) {
        #expect(book.columns.map(\.letter) == ["", "A", "B", "C", "D", "E", "F"])
        for (t, name) in ["q1", "q2", "score", "reasons"].enumerated() {
            guard let r = ref[name] else { Issue.record("no reference for \(name)"); continue }
            let table = book.tables[t]
            #expect(table.degreesOfFreedom == r.df)
            let scale = name == "score" ? 1.0 : 100.0
            #expect(table.rows.count == r.rows.count)
            for (i, row) in r.rows.enumerated() where i < table.rows.count {
                for (c, e) in row.estimates.enumerated() {
                    let cell = table.rows[i].cells[c]
                    #expect(close((cell.value ?? .nan) / scale, e), "\(name) row \(i) column \(c): \(cell.value ?? .nan) vs \(e)")
                    #expect(close((cell.standardError ?? .nan) / scale, row.se[c]), "\(name) row \(i) column \(c) SE")
                }
                let mine = table.comparisons.filter { $0.row == i && $0.untested == nil }
                #expect(mine.count == row.pairs.count, "\(name) row \(i): \(mine.count) tested pairs vs R's \(row.pairs.count)")
                for p in row.pairs {
                    guard let m = mine.first(where: { $0.columnA == p.a && $0.columnB == p.b }) else {
                        Issue.record("\(name) row \(i): pair \(p.a)-\(p.b) missing"); continue
                    }
                    #expect(close(m.difference / scale, p.difference))
                    #expect(close((m.standardError ?? .nan) / scale, p.se))
                    #expect(close(m.statistic ?? .nan, p.t))
                    #expect(m.degreesOfFreedom == p.df)
                    #expect(close(m.pValue ?? .nan, p.p, rel: 1e-9))
                }
                // Overlapping columns (the net and its categories) are reported untested.
                #expect(table.comparisons.contains { $0.row == i && $0.columnA == 1 && $0.columnB == 4 && $0.untested == "the columns overlap" })
            }
        }
    }

    @Test func designTestMatchesRSurveyWeightsOnly() throws {
        let svy = try Fixture.decode(SVY.self, Self.dir + "banner_svy.json")
        let design = try SurveyDesign(data: Self.data("banner_survey.csv"), weight: "wt")
        Self.check(try BannerBook(design, specification: Self.spec(test: .design)), svy.weights)
    }

    @Test func designTestMatchesRSurveyStratifiedCluster() throws {
        let svy = try Fixture.decode(SVY.self, Self.dir + "banner_svy.json")
        let design = try SurveyDesign(data: Self.data("banner_survey.csv"), weight: "wt", strata: "stratum", clusters: "psu", nest: true)
        Self.check(try BannerBook(design, specification: Self.spec(test: .design)), svy.cluster)
    }

    @Test func designTestMatchesRSurveyJK1() throws {
        let svy = try Fixture.decode(SVY.self, Self.dir + "banner_svy.json")
        let data = try Self.data("banner_survey_jk1.csv")
        let reps = data.variableNames.filter { $0.hasPrefix("rep") }
        let design = try SurveyDesign(data: data, weight: "wt", replicateColumns: reps, method: .jk1)
        Self.check(try BannerBook(design, specification: Self.spec(test: .design)), svy.jk1)
    }

    @Test func spssColumnProportionsTestMatchesTheWrittenOutFormulas() throws {
        let ref = try Fixture.decode([String: SPSSTable].self, Self.dir + "banner_spss.json")
        let design = try SurveyDesign(data: Self.data("banner_survey.csv"), weight: "wt")
        let book = try BannerBook(design, specification: Self.spec(test: .spss, adjust: .bonferroni, mean: false))
        for (t, name) in ["q1", "q2", "reasons"].enumerated() {
            guard let r = ref[name] else { Issue.record("no reference for \(name)"); continue }
            let table = book.tables[t]
            for (c, e) in r.effectiveBases.enumerated() { #expect(close(table.bases[c].effective, e)) }
            for (i, row) in r.rows.enumerated() {
                for (c, p) in row.p.enumerated() { #expect(close((table.rows[i].cells[c].value ?? .nan) / 100, p)) }
                for p in row.pairs {
                    guard let m = table.comparisons.first(where: { $0.row == i && $0.columnA == p.a && $0.columnB == p.b }) else {
                        Issue.record("\(name) row \(i): pair \(p.a)-\(p.b) missing"); continue
                    }
                    #expect(close(m.difference / 100, p.difference))
                    #expect(close((m.standardError ?? .nan) / 100, p.se))
                    #expect(close(m.statistic ?? .nan, p.z))
                    #expect(close(m.pValue ?? .nan, p.p, rel: 1e-9))
                    #expect(close(m.adjustedPValue ?? .nan, p.pBonferroni, rel: 1e-9))
                }
                #expect(table.rows[i].cells.map(\.letters) == row.letters, "\(name) row \(i) letters")
            }
        }
    }

    /// The memo fixture's banner (q_russia_opinion with its favourable net × Total, language, age group)
    /// against R survey (`make_banner_kz.R`), through the CLI's JSON as a user gets it.
    @Test func memoFixtureBannerMatchesRSurvey() throws {
        struct KZ: Decodable { let df: Double; let rows: [Row] }
        let ref = try Fixture.decode(KZ.self, Self.dir + "banner_kz.json")
        let spec = Self.dir + "kz_spec.json"
        let r = try CLI.run(["banner", "Fixtures/surveys/kz2019-synthetic.csv", "--codebook", "Fixtures/surveys/kz2019-synthetic.codebook.json",
                             "--spec", spec, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let book = try JSONDecoder().decode(BannerBook.self, from: Data(r.stdout.utf8))
        let table = try #require(book.tables.first)
        #expect(table.degreesOfFreedom == ref.df)
        for (i, row) in ref.rows.enumerated() {
            for (c, e) in row.estimates.enumerated() {
                #expect(close((table.rows[i].cells[c].value ?? .nan) / 100, e))
                #expect(close((table.rows[i].cells[c].standardError ?? .nan) / 100, row.se[c]))
            }
            for p in row.pairs {
                let m = try #require(table.comparisons.first { $0.row == i && $0.columnA == p.a && $0.columnB == p.b })
                #expect(close(m.difference / 100, p.difference) && close((m.standardError ?? .nan) / 100, p.se))
                #expect(close(m.statistic ?? .nan, p.t) && close(m.pValue ?? .nan, p.p, rel: 1e-9))
            }
        }
    }

    /// The `make demo` book of the memo fixture (four questions with nets × Total, lang, wave, agegroup)
    /// under the SPSS-style test with Bonferroni, against SPSS's COMPARETEST formulas written out in
    /// Python (`make_banner_spss_kz.py`): bases, percentages, z, p-values (raw and adjusted) and letters.
    @Test func memoFixtureSPSSTestMatchesTheWrittenOutFormulas() throws {
        struct Ref: Decodable { let letters: [String]; let tables: [String: KZTable] }
        struct KZTable: Decodable {
            let unweightedBases: [Int]; let weightedBases: [Double]; let effectiveBases: [Double]; let rows: [SPSSRow]
        }
        let ref = try Fixture.decode(Ref.self, Self.dir + "banner_spss_kz.json")
        let data = try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                          codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json"))
        var spec = try BannerSpecification.decode(Data(contentsOf: URL(fileURLWithPath: Fixture.path("Fixtures/surveys/kz2019-banner.json"))))
        spec.test = .spss
        spec.adjust = .bonferroni
        let book = try BannerBook(try SurveyDesign(data: data, weight: "wt"), specification: spec)
        #expect(book.columns.map(\.letter) == ref.letters)
        #expect(book.tables.count == ref.tables.count)
        for table in book.tables {
            guard let r = ref.tables[table.variable] else { Issue.record("no reference for \(table.variable)"); continue }
            #expect(table.bases.map(\.unweighted) == r.unweightedBases)
            for (c, b) in table.bases.enumerated() {
                #expect(close(b.weighted, r.weightedBases[c]) && close(b.effective, r.effectiveBases[c]), "\(table.variable) column \(c)")
            }
            #expect(table.rows.count == r.rows.count)
            for (i, row) in r.rows.enumerated() where i < table.rows.count {
                for (c, p) in row.p.enumerated() { #expect(close((table.rows[i].cells[c].value ?? .nan) / 100, p)) }
                let tested = table.comparisons.filter { $0.row == i && $0.untested == nil }
                #expect(tested.count == row.pairs.count, "\(table.variable) row \(i): tested pairs")
                for p in row.pairs {
                    guard let m = tested.first(where: { $0.columnA == p.a && $0.columnB == p.b }) else {
                        Issue.record("\(table.variable) row \(i): pair \(p.a)-\(p.b) missing"); continue
                    }
                    #expect(close(m.difference / 100, p.difference, abs: 1e-14) && close((m.standardError ?? .nan) / 100, p.se))
                    #expect(close(m.statistic ?? .nan, p.z, abs: 1e-12) && close(m.pValue ?? .nan, p.p, rel: 1e-9))
                    #expect(close(m.adjustedPValue ?? .nan, p.pBonferroni, rel: 1e-9))
                }
                #expect(table.rows[i].cells.map(\.letters) == row.letters, "\(table.variable) row \(i) letters")
            }
        }
    }

    /// The progress handler is told after each stub table, in order, and does not change the book.
    @Test func progressIsReportedPerTable() throws {
        let design = try SurveyDesign(data: Self.data("banner_survey.csv"), weight: "wt")
        nonisolated(unsafe) var calls: [[Int]] = []
        let book = try BannerBook(design, specification: Self.spec(test: .design)) { done, total in calls.append([done, total]) }
        #expect(calls == [[1, 4], [2, 4], [3, 4], [4, 4]])
        #expect(book == (try BannerBook(design, specification: Self.spec(test: .design))))
    }

    @Test func badSpecificationsAreTypedErrorsNamingTheField() throws {
        let design = try SurveyDesign(data: Self.data("banner_survey.csv"), weight: "wt")
        #expect(throws: BarometerError.self) { try BannerBook(design, specification: .init(stubs: [], banner: [.init(variable: "sex")])) }
        #expect(throws: BarometerError.self) {
            try BannerBook(design, specification: .init(stubs: [.init(variable: "q1")], banner: [.init(variable: "sex")], levels: [1.5]))
        }
        #expect(throws: BarometerError.self) {
            try BannerBook(design, specification: .init(stubs: [.init(variable: "nope")], banner: [.init(variable: "sex")]))
        }
        #expect(throws: BarometerError.self) { try BannerBook(design, specification: Self.spec(test: .spss)) }  // SPSS test on a mean
        do {
            _ = try BannerSpecification.decode(Data(#"{"stubs": [{"variable": 3}], "banner": []}"#.utf8), source: "spec.json")
            Issue.record("decoded a bad specification")
        } catch {
            #expect("\(error)".contains("spec.json") && "\(error)".contains(".stubs[0].variable"), "\(error)")
        }
    }

    @Test func cliPrintsTheBookAndJSONCarriesEveryComparison() throws {
        let args = ["banner", Self.dir + "banner_survey.csv", "--codebook", Self.dir + "banner_survey.codebook.json",
                    "--rows", "q1", "--cols", "region", "--cols", "sex", "--sig", "0.05,0.01"]
        let text = try CLI.run(args)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Opinion of the neighbour (q1)") && text.stdout.contains("North (A)") && text.stdout.contains("Effective base"))
        let json = try CLI.run(args + ["--format", "json"])
        #expect(json.status == 0)
        let book = try JSONDecoder().decode(BannerBook.self, from: Data(json.stdout.utf8))
        #expect(book.tables.first?.comparisons.contains { $0.pValue != nil && $0.standardError != nil } == true)
    }
}
