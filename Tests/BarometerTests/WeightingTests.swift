import Barometer
import BarometerIO
import Foundation
import Testing

/// Weighting against R survey 4.1 (Fixtures/reference/weighting/make_weighting.R):
/// rake, calibrate (linear, raking, logit and bounded linear), postStratify on joint
/// cells, trimWeights, and means/shares with SEs on the calibrated designs
/// (stratified and one-stage cluster linearization, JK1 replicates re-calibrated).
@Suite struct WeightingTests {
    static let dir = "Fixtures/reference/weighting/"
    let raw: [String: Any]

    init() throws { raw = try #require(try Fixture.json(Self.dir + "expected.json") as? [String: Any]) }

    func numbers(_ key: String) throws -> [Double] {
        if let x = raw[key] as? Double { return [x] }
        return try #require(raw[key] as? [Double], "missing \(key)")
    }
    func load(_ file: String) throws -> Dataset { try DatasetLoader.load(Fixture.path(Self.dir + file)) }
    func targets(_ file: String) throws -> WeightingTargets { try TargetsLoader.load(Fixture.path(Self.dir + file)) }
    func strat() throws -> SurveyDesign { try SurveyDesign(data: try load("apistrat_w.csv"), weight: "pw", strata: "stype", fpc: "fpc") }

    func expectWeights(_ got: [Double], _ key: String, rel: Double = 1e-8, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let want = try numbers(key + "_weights")
        #expect(got.count == want.count, sourceLocation: sourceLocation)
        let worst = zip(got, want).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? .infinity
        #expect(worst <= rel, "\(key): worst relative weight difference \(worst)", sourceLocation: sourceLocation)
    }

    /// Means of api00, enroll and the share of year-round schools, with SEs, against R's svymean.
    func expectEstimates(_ design: SurveyDesign, _ key: String, rel: Double = 1e-8, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let m = try design.mean(["api00", "enroll", "yr_rnd"])
        let mean = try numbers(key + "_mean"), se = try numbers(key + "_se")
        for (j, e) in m.estimates.enumerated() {
            #expect(close(e.estimate, mean[j], rel: rel), "\(key) mean[\(j)] \(e.estimate) vs \(mean[j])", sourceLocation: sourceLocation)
            #expect(close(e.standardError, se[j], rel: rel), "\(key) SE[\(j)] \(e.standardError) vs \(se[j])", sourceLocation: sourceLocation)
        }
        #expect(m.variance.contains("calibrated"), sourceLocation: sourceLocation)
    }

    @Test func rakeMatchesR() throws {
        let r = try strat().weighted(to: try targets("api-targets.json"), options: .init(method: .rake, epsilon: 1e-12))
        try expectWeights(r.weights, "strat_rake")
        try expectEstimates(r.design, "strat_rake")
        #expect(r.report.converged)
        #expect(r.report.margins.allSatisfy { $0.maxDeviation <= 1e-7 })
        #expect(r.report.iterations > 1)
    }

    /// Many margins: the joint-cell table past its flat form (4 margins of 9 categories: 6,561 possible
    /// cells for 600 respondents, a dictionary) and past Int32 (10 margins: 9^10 cells, a dictionary on
    /// the code tuple), against R rake (4) and calibrate(calfun = "raking") (10; R's rake cannot: it
    /// tabulates the full cross). Fixtures/reference/weighting/make_many_margins.R.
    @Test func manyMarginsMatchR() throws {
        let ref = try #require(try Fixture.json(Self.dir + "many_margins.json") as? [String: Any])
        let design = try SurveyDesign(data: try load("many_margins.csv"), weight: "d")
        let all = try targets("many_margins_targets.csv")
        for (count, key) in [(4, "rake4_weights"), (10, "raking10_weights")] {
            let subset = WeightingTargets(margins: Array(all.margins.prefix(count)))
            let r = try design.weighted(to: subset, options: .init(method: .rake, epsilon: 1e-13))
            let want = try #require(ref[key] as? [Double])
            #expect(r.weights.count == want.count && r.report.converged)
            let worst = zip(r.weights, want).map { abs($0 - $1) / $1 }.max() ?? .infinity
            #expect(worst <= 1e-8, "\(key): worst relative difference \(worst)")
        }
    }

    @Test func calibrationMatchesR() throws {
        let t = try targets("api-targets.json")
        let d = try strat()
        for (method, key) in [(WeightingMethod.linear, "strat_linear"), (.raking, "strat_raking")] {
            let r = try d.weighted(to: t, options: .init(method: method))
            try expectWeights(r.weights, key)
            try expectEstimates(r.design, key)
        }
        let bl = try numbers("bounds_logit"), bn = try numbers("bounds_linear")
        let logit = try d.weighted(to: t, options: .init(method: .logit, bounds: (bl[0], bl[1])))
        try expectWeights(logit.weights, "strat_logit")
        try expectEstimates(logit.design, "strat_logit")
        #expect(logit.report.gMin >= bl[0] && logit.report.gMax <= bl[1])
        let lin = try d.weighted(to: t, options: .init(method: .linear, bounds: (bn[0], bn[1])))
        try expectWeights(lin.weights, "strat_linear_bounded")
        try expectEstimates(lin.design, "strat_linear_bounded")
        #expect(abs(lin.report.gMax - bn[1]) < 1e-12)
        // Raking by IPF and by Newton reach the same weights.
        let ipf = try d.weighted(to: t, options: .init(method: .rake, epsilon: 1e-12))
        let newton = try d.weighted(to: t, options: .init(method: .raking, epsilon: 1e-12))
        #expect(zip(ipf.weights, newton.weights).allSatisfy { close($0, $1, rel: 1e-9) })
    }

    @Test func postStratificationOnJointCellsMatchesR() throws {
        let r = try strat().weighted(to: try targets("api-targets-joint.json"), options: .init(method: .poststrat))
        try expectWeights(r.weights, "strat_poststrat", rel: 1e-12)
        try expectEstimates(r.design, "strat_poststrat", rel: 1e-10)
        #expect(r.report.margins.first?.name == "sch_wide × awards")
        #expect(r.report.iterations == 1)
    }

    @Test func trimmingMatchesR() throws {
        let b = try numbers("trim_bounds")
        let d = try strat(), t = try targets("api-targets.json")
        let plain = try d.weighted(to: t, options: .init(method: .rake, epsilon: 1e-12, trimming: .init(lower: b[0], upper: b[1])))
        try expectWeights(plain.weights, "strat_rake_trim")
        #expect(plain.report.trimmedCount > 0)
        #expect(!plain.design.varianceDescription.contains("residuals"))
        let strict = try d.weighted(to: t, options: .init(method: .rake, epsilon: 1e-12, trimming: .init(lower: b[0], upper: b[1], strict: true)))
        try expectWeights(strict.weights, "strat_rake_trim_strict")
        #expect(strict.weights.allSatisfy { $0 >= b[0] - 1e-9 && $0 <= b[1] + 1e-9 })
        // Re-raking alternates trimming and raking until both hold (anesrake). The raked weights
        // range from 10.8 to 65.3; within [12, 60] the targets can still be met.
        let rerake = try d.weighted(to: t, options: .init(method: .rake, trimming: .init(lower: 12, upper: 60, strict: true, rerake: true)))
        #expect(rerake.report.converged && rerake.report.trimmedCount > 0 && rerake.report.trimRounds > 1)
        #expect(rerake.report.margins.allSatisfy { $0.maxDeviation <= 1e-7 })
        #expect(rerake.weights.allSatisfy { $0 >= 12 - 1e-9 && $0 <= 60 + 1e-9 })
        #expect(rerake.design.varianceDescription.contains("residuals"))
        // [18, 40] cannot hold: the 100 elementary schools must weigh 4421, 44.21 each on average.
        #expect(throws: BarometerError.self) {
            try d.weighted(to: t, options: .init(method: .rake, maxIterations: 100, trimming: .init(lower: b[0], upper: b[1], strict: true, rerake: true)))
        }
    }

    @Test func sharesInCSVGiveTheSameWeightsUpToTheTotal() throws {
        let d = try strat()
        let csv = try d.weighted(to: try targets("api-targets-shares.csv"), options: .init(epsilon: 1e-12))
        let want = try numbers("strat_rake_weights")
        let sum = csv.weights.reduce(0, +), total = try #require(raw["population"] as? Double)
        #expect(close(sum, d.weights.sum, rel: 1e-12))        // shares are scaled to the base weight total
        #expect(zip(csv.weights, want).allSatisfy { close($0 / sum, $1 / total, rel: 1e-8) })
        #expect(csv.report.margins.allSatisfy { $0.givenAsShares })
    }

    @Test func clusterAndJK1DesignsMatchR() throws {
        let data = try load("apiclus1_w.csv")
        let t = try targets("apiclus1-targets.json")
        let clus = try SurveyDesign(data: data, weight: "pw", clusters: "dnum", fpc: "fpc")
        let jk = try SurveyDesign(data: data, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1)
        for (design, prefix) in [(clus, "clus1"), (jk, "clus1_jk1")] {
            let rake = try design.weighted(to: t, options: .init(method: .rake, epsilon: 1e-12))
            try expectWeights(rake.weights, prefix + "_rake")
            try expectEstimates(rake.design, prefix + "_rake")
            let linear = try design.weighted(to: t, options: .init(method: .linear))
            try expectWeights(linear.weights, prefix + "_linear")
            try expectEstimates(linear.design, prefix + "_linear")
            try expectEstimates(try design.weighted(to: t, options: .init(method: .raking, epsilon: 1e-12)).design, prefix + "_raking")
        }
    }

    // MARK: bad targets

    func reason(_ body: () throws -> Void) -> (margin: String, category: String?, line: Int?, reason: String)? {
        do { try body() } catch let e as BarometerError {
            if case .invalidTarget(let m, let c, let l, let r) = e { return (m, c, l, r) }
            Issue.record("unexpected error \(e)")
        } catch { Issue.record("unexpected error \(error)") }
        return nil
    }

    func csvTargets(_ text: String) throws -> WeightingTargets { try TargetsLoader.parseCSV(Data(text.utf8), file: "t.csv") }

    @Test func unknownVariableAndCodesAreNamed() throws {
        let d = try strat()
        let unknown = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nstype,1,0.5\nstype,2,0.2\nstype,3,0.3\nschwide,0,0.2\nschwide,1,0.8\n")) }
        #expect(unknown?.margin == "schwide" && unknown?.line == 5 && unknown?.reason.contains("sch_wide") == true)
        let code = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nstype,1,0.5\nstype,2,0.2\nstype,4,0.3\n")) }
        #expect(code?.margin == "stype" && code?.category == "4" && code?.line == 4 && code?.reason.contains("unknown code") == true)
        let label = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nstype,Elementary,1\n")) }
        #expect(label?.category == "Elementary" && label?.reason.contains("neither a code nor a value label") == true)
    }

    @Test func categoryWithoutRespondentsIsNamed() throws {
        var data = try load("apistrat_w.csv")
        var v = try #require(data["sch_wide"])
        v.valueLabels = [0: "No", 1: "Yes", 2: "Partly"]
        try data.replace(v)
        let d = try SurveyDesign(data: data, weight: "pw")
        let empty = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nsch_wide,No,0.2\nsch_wide,Yes,0.7\nsch_wide,Partly,0.1\n")) }
        #expect(empty?.margin == "sch_wide" && empty?.category == "Partly" && empty?.line == 4
                && empty?.reason.contains("no respondents") == true)
        // Respondents in a category that has no target.
        let missing = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nsch_wide,1,1\n")) }
        #expect(missing?.margin == "sch_wide" && missing?.category == "No" && missing?.reason.contains("without a target") == true)
    }

    /// A synthetic survey for the ways the joint table reads the margin variables: `a` (codes
    /// 1…6, code 6 in two rows only, neither among the ~1,024 rows the code range is guessed
    /// from), `b` (1…4), `c` (1…3), base weights in [0.5, 2]; targets as shares per code.
    static func codingSurvey(_ map: (Double) -> Double, labels: Bool = false, missing: MissingValues = .none) throws
        -> (Dataset, WeightingTargets) {
        var g = CLIRandomizedTests.RNG(state: 18_2026)
        let n = 20_000
        var a = [Double](), b = [Double](), c = [Double](), d = [Double]()
        for i in 0..<n {
            a.append(i == 5 || i == 12_345 ? 6 : Double(1 + Int(g.double() * 5)))
            b.append(Double(1 + Int(g.double() * 4)))
            c.append(Double(1 + Int(g.double() * 3)))
            d.append(0.5 + 1.5 * g.double())
        }
        func variable(_ name: String, _ x: [Double], _ k: Int) -> Variable {
            let codes = (1...k).map { map(Double($0)) }
            return Variable(name: name, values: x.map(map),
                            valueLabels: labels ? Dictionary(uniqueKeysWithValues: codes.map { ($0, "code \($0)") }) : [:],
                            missing: missing)
        }
        let data = try Dataset(variables: [variable("a", a, 6), variable("b", b, 4), variable("c", c, 3), Variable(name: "d", values: d)])
        var csv = "variable,category,target\n"
        for (name, shares) in [("a", [0.2, 0.2, 0.2, 0.2, 0.1999, 0.0001]), ("b", [0.3, 0.3, 0.2, 0.2]), ("c", [0.5, 0.3, 0.2])] {
            for (k, s) in shares.enumerated() { csv += "\(name),\(Variable.formatCode(map(Double(k + 1)))),\(s)\n" }
        }
        return (data, try TargetsLoader.parseCSV(Data(csv.utf8), file: "t.csv"))
    }

    /// The joint table reads whole codes straight from the values (on a guessed range, checked on
    /// every row; after a full scan on the range or, for sparse codes, the distinct codes) and
    /// any other codes through CategoryCoding: the same cells in the same order, so the same
    /// weights to the last bit. The guess misses code 6 of `a` without labels (rows 6 and 12,346).
    @Test func everyWayOfReadingTheCodesGivesTheSameWeights() throws {
        func rake(_ map: (Double) -> Double, labels: Bool = false) throws -> WeightingResult {
            let (data, targets) = try Self.codingSurvey(map, labels: labels)
            return try SurveyDesign(data: data, weight: "d").weighted(to: targets, options: .init(method: .rake, epsilon: 1e-10))
        }
        let guessed = try rake({ $0 }, labels: true)          // range from the sample and the labels
        #expect(guessed.report.converged && guessed.report.margins[0].categories[5].respondents == 2)
        for (name, map, labels) in [("range after a scan", { (x: Double) in x }, false), ("sparse codes", { $0 * 1000 }, false),
                                    ("years", { $0 + 2016 }, true), ("negative codes", { $0 - 4 }, false),
                                    ("fractional codes", { $0 + 0.5 }, false)] as [(String, (Double) -> Double, Bool)] {
            let other = try rake(map, labels: labels)
            #expect(other.weights == guessed.weights, "\(name): weights differ")
            #expect(other.report.margins.map(\.maxDeviation) == guessed.report.margins.map(\.maxDeviation), "\(name)")
        }
    }

    /// A missing value in a margin variable is an error naming the variable and the row, wherever
    /// the row is (here rows the code range is not guessed from) and whatever the code path.
    @Test func missingValuesInMarginVariablesNameTheRow() throws {
        func failure(_ data: Dataset, _ targets: WeightingTargets) -> (margin: String, category: String?, line: Int?, reason: String)? {
            reason { _ = try SurveyDesign(data: data, weight: "d").weighted(to: targets) }
        }
        // System-missing at row 7,778 of `b`.
        var (data, targets) = try Self.codingSurvey({ $0 })
        var b = try #require(data["b"])
        b.values[7_777] = .nan
        try data.replace(b)
        let sys = failure(data, targets)
        #expect(sys?.margin == "b" && sys?.reason.contains("row 7778 has a system-missing value") == true, "\(String(describing: sys))")
        // A user-missing code inside the guessed range (3 of `c`, first at some row) and one beyond it (6 of `a`, row 6).
        (data, targets) = try Self.codingSurvey({ $0 }, missing: MissingValues(codes: [6]))
        let beyond = failure(data, targets)
        #expect(beyond?.margin == "a" && beyond?.reason.contains("row 6 has a user-missing code 6") == true, "\(String(describing: beyond))")
        (data, targets) = try Self.codingSurvey({ $0 })
        var c = try #require(data["c"])
        let first = try #require(c.values.firstIndex(of: 3))
        c.missing = MissingValues(codes: [3])
        try data.replace(c)
        let inside = failure(data, targets)
        #expect(inside?.margin == "c" && inside?.reason.contains("row \(first + 1) has a user-missing code 3") == true, "\(String(describing: inside))")
    }

    @Test func sharesNotSummingToOneAndNegativeTargets() throws {
        let d = try strat()
        let shares = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nstype,1,0.5\nstype,2,0.2\nstype,3,0.2\n")) }
        #expect(shares?.margin == "stype" && shares?.line == 2 && shares?.reason.contains("sum to 0.8") == true)
        let negative = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nstype,1,0.5\nstype,2,-0.2\nstype,3,0.7\n")) }
        #expect(negative?.margin == "stype" && negative?.category == "2" && negative?.line == 3 && negative?.reason.contains("negative") == true)
        let totals = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nstype,1,500\nstype,2,200\nstype,3,300\nsch_wide,0,100\nsch_wide,1,800\n")) }
        #expect(totals?.margin == "sch_wide" && totals?.reason.contains("differs from 1000") == true)
        let duplicate = reason { _ = try d.weighted(to: try csvTargets("variable,category,target\nstype,1,0.5\nstype,1,0.2\nstype,3,0.3\n")) }
        #expect(duplicate?.line == 3 && duplicate?.reason.contains("twice") == true)
    }

    @Test func malformedFilesAreTypedErrors() throws {
        let cases: [(String, Int?)] = [
            ("", nil), ("variable,category\nsex,1\n", 1), ("variable,category,target\nsex,1\n", 2),
            ("variable,category,target\nsex,1,abc\n", 2), ("variable,category,target\nsex,\"1,0.5\n", 2),
            ("variable,category,target\n", nil), ("\u{FEFF}variable,category,target\nsex,1,x\"\n", 2),
        ]
        for (text, line) in cases {
            let r = reason { _ = try csvTargets(text) }
            #expect(r != nil && r?.line == line, "\(text.debugDescription): \(String(describing: r))")
        }
        let json = ["", "[]", "{\"margins\": 1}", "{\"margins\": [{\"variable\": \"a\"}]}",
                    "{\"margins\": [{\"variable\": \"a\", \"targets\": {\"1\": true}}]}",
                    "{\"margins\": [{\"variables\": [\"a\", 2], \"cells\": []}]}", "{\"margin\": []}",
                    "{\"margins\": [{\"variables\": [\"a\"], \"cells\": [{\"categories\": [null], \"target\": 1}]}]}"]
        for text in json {
            let r = reason { _ = try TargetsLoader.parseJSON(Data(text.utf8)) }
            #expect(r != nil, "\(text)")
        }
        // Random bytes never trap.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0..<80, using: &rng)).map { _ in UInt8.random(in: 0...127, using: &rng) }
            _ = try? TargetsLoader.parseCSV(Data(bytes))
            _ = try? TargetsLoader.parseJSON(Data(bytes))
        }
    }

    @Test func unreachableTargetsAreANonConvergenceErrorNamingTheWorstMargin() throws {
        let d = try strat()
        // In the sample (as in the population) only schools meeting the school-wide target get
        // awards, so 90% with awards cannot coexist with 50% meeting the target.
        let t = try csvTargets("variable,category,target\nsch_wide,0,0.5\nsch_wide,1,0.5\nawards,0,0.1\nawards,1,0.9\n")
        do {
            _ = try d.weighted(to: t, options: .init(method: .rake, maxIterations: 200))
            Issue.record("expected non-convergence")
        } catch {
            guard case .noConvergence(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("worst margin"))
            #expect(message.contains("'sch_wide'") || message.contains("'awards'"))
            #expect(message.contains("200 iteration"))
        }
        // Logit bounds too tight for the targets: also named.
        do {
            _ = try d.weighted(to: try targets("api-targets.json"), options: .init(method: .logit, bounds: (0.75, 1.3)))
            Issue.record("expected non-convergence")
        } catch let e as BarometerError {
            guard case .noConvergence(let message) = e else { Issue.record("\(e)"); return }
            #expect(message.contains("worst margin"))
        }
        // With the explicit option the result is returned and flagged.
        let flagged = try d.weighted(to: t, options: .init(method: .rake, maxIterations: 50, allowNonConvergence: true))
        #expect(!flagged.report.converged)
        #expect(flagged.report.textTable.title.contains("NOT CONVERGED"))
        #expect((flagged.report.margins.map(\.maxDeviation).max() ?? 0) > 0.01)
    }

    @Test func reportSummarisesTheWeights() throws {
        let d = try strat()
        let r = try d.weighted(to: try targets("api-targets.json"), options: .init(epsilon: 1e-12))
        let w = r.weights, n = Double(w.count)
        let s = w.reduce(0, +), s2 = w.reduce(0) { $0 + $1 * $1 }
        #expect(close(r.report.weightsAfter.weightingDesignEffect, n * s2 / (s * s), rel: 1e-12))
        #expect(close(r.report.weightsAfter.efficiency, s * s / s2 / n, rel: 1e-12))
        #expect(r.report.weightsAfter.min == w.min() && r.report.weightsAfter.max == w.max())
        let want = try numbers("strat_rake_weights")
        #expect(close(r.report.weightsAfter.max / r.report.weightsAfter.min, (want.max() ?? 0) / (want.min() ?? 1), rel: 1e-8))
        // Before/after shares: the stratum margin was already met by the design weights.
        let stype = try #require(r.report.margins.first)
        #expect(stype.maxDeviationBefore < 1e-6)
        let table = r.report.textTable
        #expect(table.rows.count == 7)
        let json = try JSONEncoder().encode(r.report)
        #expect(try JSONDecoder().decode(WeightingReport.self, from: json) == r.report)
    }
}

extension WeightingTests {
    /// Domain means and grouped shares (the grouped kernel falls back to dense influence
    /// values under calibration: residuals are non-zero outside the domain).
    @Test func domainAndGroupedEstimatesOnCalibratedDesignsMatchR() throws {
        let d = try strat(), t = try targets("api-targets.json")
        let bl = try numbers("bounds_logit")
        let designs: [(String, SurveyDesign)] = [
            ("strat_linear", try d.weighted(to: t, options: .init(method: .linear)).design),
            ("strat_rake", try d.weighted(to: t, options: .init(method: .rake, epsilon: 1e-12)).design),
            ("strat_logit", try d.weighted(to: t, options: .init(method: .logit, bounds: (bl[0], bl[1]))).design),
        ]
        for (key, design) in designs {
            let m = try #require(try design.mean(["api00"], domain: try design.domain("yr_rnd", in: [1])).estimates.first)
            #expect(close(m.estimate, try numbers(key + "_domain_yrrnd_mean")[0], rel: 1e-8), "\(key)")
            #expect(close(m.standardError, try numbers(key + "_domain_yrrnd_se")[0], rel: 1e-8), "\(key) \(m.standardError)")
            guard key != "strat_logit" else { continue }
            let table = try ShareTable(design, of: "yr_rnd", in: [1], by: "stype", method: .logit)
            let share = try numbers(key + "_by_stype_yrrnd_share"), se = try numbers(key + "_by_stype_yrrnd_se")
            for (j, row) in table.rows.enumerated() {
                let s = try #require(row.share)
                #expect(close(s.estimate, share[j], rel: 1e-8), "\(key) share[\(j)]")
                #expect(close(s.designStandardError, se[j], rel: 1e-8), "\(key) SE[\(j)] \(s.designStandardError) vs \(se[j])")
            }
        }
    }
}
