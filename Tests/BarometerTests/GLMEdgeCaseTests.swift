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

    /// Formula work is bounded (found by the fuzzer: a 558-character formula of
    /// long `*` chains ran 37 s under ASan): at most 8 variables interact, a
    /// formula has at most 1,024 terms, and the error names the `*` or `:`
    /// where the limit is passed, before anything is expanded.
    @Test func formulaSizeIsBounded() throws {
        // The 9th distinct variable of a product: "y ~ a*b*c*d*e*f*g*h*i", the '*' before i is character 20.
        let product = formulaError("y ~ a*b*c*d*e*f*g*h*i")
        #expect(product?.token == "*" && product?.column == 20)
        let interaction = formulaError("y ~ a:b:c:d:e:f:g:h:i")
        #expect(interaction?.token == ":" && interaction?.column == 20)
        // Repeats add no variable: 8 distinct factors expand to 2^8 − 1 terms, of order 1 to 8.
        let eight = try ModelFormula(parsing: "y ~ a*b*c*d*e*f*g*h*a*b*h*c")
        #expect(eight.terms.count == 255 && eight.terms.last?.label == "a:b:c:d:e:f:g:h")
        #expect(eight.terms.filter { $0.predictors.count == 2 }.count == 28)   // C(8, 2)
        // Five products of 8 new variables each: 4 × 255 = 1,020 terms, then the fifth
        // product's e1, e2, e1:e2, e3 make 1,024 and e1:e3 is the 1,025th, at the '*' before e3.
        let products = "abcde".map { p in (1...8).map { "\(p)\($0)" }.joined(separator: "*") }
        let text = "y ~ " + products.joined(separator: " + ")
        let fifth = 4 + products[0..<4].map { $0.count + 3 }.reduce(0, +)   // characters before the fifth product
        let tooMany = formulaError(text)
        #expect(tooMany?.token == "*" && tooMany?.column == fifth + "e1*e2*".count)
        #expect(try ModelFormula(parsing: "y ~ " + products[0..<4].joined(separator: " + ")).terms.count == 1020)
        // A removed term frees its place: 1,020 terms − a1 + e1, e2, e3, e4 + a1 again = 1,024, the limit.
        let freed = try ModelFormula(parsing: "y ~ " + products[0..<4].joined(separator: " + ") + " - a1 + e1 + e2 + e3 + e4 + a1")
        #expect(freed.terms.count == 1024)
        // The fuzzer's inputs stay fast (debug build, a few ms; the limit is at their 9th variable).
        let fuzzTimeout = "x ~ a*b*cua*Sa*b*cSa+b*b*zcuaEquatab*cS*re*Sa*rua+b*c6Se*Sa*a+b*c3Seb*ua+b*c2SecS*cu*u*ae*Sa*r*eb*ua+b*c7SecS"
        let fuzzError = formulaError(fuzzTimeout)
        #expect(fuzzError?.token == "*" && fuzzError?.column == 98)
        // The costliest shape per character: products of 8 factors (255 terms from 15
        // characters), added and removed, then one long chain of repeats, where each
        // repeated '*' costs O(1). About 0.5 s in a debug build for these 5.6 KB (the
        // parser before the limits kept every product's terms and removed them by scanning).
        let worst = "y ~ " + String(repeating: "a*b*c*d*e*f*g*h - a*b*c*d*e*f*g*h + ", count: 100)
            + Array(repeating: "a*b*c*d*e*f*g*h", count: 125).joined(separator: "*")
        let clock = ContinuousClock(), start = clock.now
        #expect(try ModelFormula(parsing: worst).terms.count == 255)
        #expect(clock.now - start < .seconds(3))
    }

    /// The coefficients of a model are counted (a product of level counts per
    /// term) and checked against the rows before any column is built: an
    /// interaction of four 200-level factors on 200 rows would have
    /// 200^4 + 1 = 1,600,000,001 coefficients.
    @Test func modelColumnsAreCountedBeforeTheyAreBuilt() throws {
        let n = 200
        let codes = (0..<n).map(Double.init)
        let data = try dataset([("y", codes.map { $0.truncatingRemainder(dividingBy: 7) }), ("a", codes),
                                ("b", codes.reversed()), ("c", codes.map { Double((Int($0) * 37) % n) }), ("d", codes.map { Double((Int($0) * 53) % n) })])
        let d = SurveyDesign.unweighted(data)
        let clock = ContinuousClock(), start = clock.now
        #expect(throws: BarometerError.insufficientData("200 rows used for a model with 1600000001 coefficients")) {
            try d.glm("y ~ factor(a):factor(b):factor(c):factor(d)")
        }
        #expect(clock.now - start < .seconds(2))
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
