import Barometer
import Testing

/// Formula errors, rank deficiency, separation and bad input for the design-based GLM.
@Suite struct GLMEdgeCaseTests {
    func dataset(_ columns: [(String, [Double])], missing: [String: [Double]] = [:]) throws -> Dataset {
        try Dataset(variables: columns.map { Variable(name: $0.0, values: $0.1, missing: MissingValues(codes: missing[$0.0] ?? [])) })
    }

    func formulaError(_ text: String) -> (token: String, column: Int)? {
        do { _ = try ModelFormula(parsing: text); return nil } catch {
            if case .invalidFormula(let t, let c, _) = error { return (t, c) }
            return nil
        }
    }

    @Test func parsesRTermOrder() throws {
        let f = try ModelFormula(parsing: "y ~ a:b + factor(c, ref = 2) * x - 1")
        #expect(f.terms.map(\.label) == ["factor(c)", "x", "a:b", "factor(c):x"])
        #expect(!f.intercept)
        #expect(f.terms[0].predictors[0].reference == 2)
        let g = try ModelFormula(parsing: "y ~ b:a + a + b + a:b")
        #expect(g.terms.map(\.label) == ["a", "b", "b:a"])   // b appears first, duplicates merge
        let h = try ModelFormula(parsing: "y ~ a*b*c - a:b:c")
        #expect(h.terms.map(\.label) == ["a", "b", "c", "a:b", "a:c", "b:c"])
    }

    @Test func formulaErrorsPointAtTheToken() {
        #expect(formulaError("y ~ x +")?.column == 8)            // end of text
        #expect(formulaError("y ~ x ++ z")?.token == "+")
        #expect(formulaError("y x")?.token == "x")
        #expect(formulaError("y ~ log(x)")?.token == "log")
        #expect(formulaError("y ~ factor(x, ref = a)")?.token == "a")
        #expect(formulaError("y ~ x $ z")?.column == 7)
        #expect(formulaError("y ~ 2x")?.token == "2x")
        #expect(formulaError("y ~ x + y")?.token == "y")
        #expect(formulaError("~ x")?.column == 1)
        #expect(formulaError("y ~ factor(x")?.column == 13)
        #expect(formulaError("y ~ 0")?.column == 6)
        #expect(formulaError("y ~ `x")?.token == "`")
        // Found by the fuzzer: a long product stays small when its factors repeat ...
        let repeated = try? ModelFormula(parsing: "y ~ " + Array(repeating: "a*b", count: 40).joined(separator: "*"))
        #expect(repeated?.terms.map(\.label) == ["a", "b", "a:b"])
        let fuzzTimeout = " y~ aa*bla*b*lo*rqy:ca*b* a*x1:ba*b* a*b*Vooa*la*b*lo*rqy:ca*b* a*x1:ba*b* a*b* a*b"
        let clock = ContinuousClock(), start = clock.now
        _ = try? ModelFormula(parsing: fuzzTimeout)
        #expect(clock.now - start < .seconds(1))
        // ... and 11 distinct factors (2^11 − 1 terms) are refused at the '*' that passes the limit.
        let letters = "abcdefghijk".map(String.init)
        #expect(formulaError("y ~ " + letters.joined(separator: "*"))?.token == "*")
    }

    /// The parser never traps: random strings over the formula alphabet only
    /// ever parse or throw ``BarometerError/invalidFormula(token:column:reason:)``.
    @Test func parserNeverTraps() {
        let alphabet = Array("yx~+-*:(),= 01.factor`\"'ref2é\t$")
        var state: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(state >> 59) + 1
            var s = ""
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                s.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            do { _ = try ModelFormula(parsing: s) } catch {
                guard case .invalidFormula(_, let c, _) = error else { Issue.record("\(s): \(error)"); continue }
                #expect(c >= 1 && c <= s.count + 1, "\(s): column \(c)")
            }
        }
    }

    @Test func rankDeficiencyNamesTheColumns() throws {
        let x = (0..<40).map { Double($0 % 7) }
        let data = try dataset([("y", (0..<40).map { Double($0 % 5) + 0.5 * Double($0 % 3) }), ("x", x),
                                ("x2", x.map { 2 * $0 + 1 }), ("g", (0..<40).map { Double($0 % 2) })])
        let d = SurveyDesign.unweighted(data)
        #expect(throws: BarometerError.rankDeficient(columns: ["x2"])) { try d.glm("y ~ x + x2 + factor(g)") }
        // A numeric copy of a dummy: aliased with factor(g)1.
        #expect(throws: BarometerError.rankDeficient(columns: ["g"])) { try d.glm("y ~ factor(g) + g") }
        // The ordinal model checks the same way (y has 5 ordered codes here).
        #expect(throws: BarometerError.rankDeficient(columns: ["x2"])) { try d.olr("y ~ x + x2") }
    }

    @Test func separationIsReported() throws {
        // Complete separation: y = 1 exactly when x > 5.
        let x = (0..<30).map { Double($0) / 3 }
        let data = try dataset([("y", x.map { $0 > 5 ? 1 : 0 }), ("x", x), ("z", (0..<30).map { Double($0 % 4) })])
        let d = SurveyDesign.unweighted(data)
        // Every fitted probability is 0 or 1, so no coefficient is determined: all are named.
        #expect(throws: BarometerError.separation(columns: ["(Intercept)", "x", "z"])) { try d.glm("y ~ x + z", family: .binomial) }
        // Quasi-complete: every respondent of category 3 answers 0; only its dummy diverges
        // (R's glm "converges" here without a warning).
        let g = (0..<60).map { Double($0 % 3 + 1) }
        let y = (0..<60).map { i -> Double in g[i] == 3 ? 0 : Double((i / 3) % 2) }
        let q = SurveyDesign.unweighted(try dataset([("y", y), ("g", g)]))
        #expect(throws: BarometerError.separation(columns: ["factor(g)3"])) { try q.glm("y ~ factor(g)", family: .binomial) }
    }

    @Test func badInputIsTyped() throws {
        let data = try dataset([("y", [1, 2, 3, 8, 1, 2]), ("x", [1, 2, 3, 4, 5, .nan])], missing: ["y": [8]])
        let d = SurveyDesign.unweighted(data)
        #expect(throws: BarometerError.self) { try d.glm("y ~ x", family: .binomial) }    // 2, 3 not in [0, 1]
        #expect(throws: BarometerError.unknownVariable("w", suggestions: ["y", "x"])) { try d.glm("y ~ w") }
        #expect(throws: BarometerError.self) { try d.glm("y ~ factor(x, ref = 9)") }
        #expect(throws: BarometerError.self) { try d.glm("y ~ x", family: .gaussian, link: .logit) }
        let r = try d.glm("y ~ x")
        #expect(r.rowsUsed == 4 && r.excludedUserMissing == 1 && r.excludedSystemMissing == 1)
    }
}
