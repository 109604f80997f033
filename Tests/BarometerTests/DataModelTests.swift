import Barometer
import Testing

/// The survey data model: weights, missing kinds, recodes, domains, lookups.
@Suite struct DataModelTests {
    func dataset(weights: [Double]) throws -> Dataset {
        let q = Variable(name: "q1", label: "Opinion", level: .ordinal, values: [1, 2, 3, 4, 8, 9, .nan],
                         valueLabels: [1: "Very favorable", 2: "Somewhat favorable", 3: "Somewhat unfavorable",
                                       4: "Very unfavorable", 8: "Don't know", 9: "Refused"],
                         missing: MissingValues(codes: [8, 9]))
        return try Dataset(variables: [q, Variable(name: "w", level: .scale, values: weights)], weightVariable: "w")
    }

    @Test(arguments: [(-1.0, 3), (Double.nan, 5), (Double.infinity, 2), (-Double.infinity, 7)])
    func invalidWeightIsATypedErrorNamingTheRow(bad: Double, row: Int) throws {
        var w = [Double](repeating: 1, count: 7)
        w[row - 1] = bad
        let data = try dataset(weights: w)
        do {
            _ = try SurveyDesign(data: data)
            Issue.record("expected invalidWeight")
        } catch .invalidWeight(let variable, let r, _) {
            #expect(variable == "w")
            #expect(r == row)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// Replicate weights of many rows are checked in the rank sketch's pass,
    /// block by block: the error is still the one of a column-by-column check
    /// (the first bad column in the given order, its first bad row), and the
    /// rank (df) is that of the columns (rw4 = rw1 + rw2: rank 3, df 2).
    @Test func invalidReplicateWeightIsFoundInColumnOrder() throws {
        let n = 5_003
        func columns(_ bad: [(column: Int, row: Int, value: Double)]) throws -> Dataset {
            var cols: [[Double]] = []
            for j in 0..<3 {
                var c = [Double](repeating: 1, count: n)
                for i in 0..<n { c[i] += Double((i * (j + 3)) % 7) / 10 }
                cols.append(c)
            }
            cols.append((0..<n).map { cols[0][$0] + cols[1][$0] })
            for b in bad { cols[b.column - 1][b.row - 1] = b.value }
            return try Dataset(variables: cols.enumerated().map { Variable(name: "rw\($0.offset + 1)", values: $0.element) })
        }
        let names = ["rw1", "rw2", "rw3", "rw4"]
        let cases: [(bad: [(column: Int, row: Int, value: Double)], column: String, row: Int)] = [
            ([(3, 100, .nan), (2, 4_000, -1)], "rw2", 4_000),
            ([(4, n, .infinity)], "rw4", n),
            ([(1, 2, -0.5), (1, 1, .nan)], "rw1", 1),
        ]
        for (bad, column, row) in cases {
            let data = try columns(bad)
            do {
                _ = try ReplicateWeights(data: data, columns: names, method: .sdr)
                Issue.record("expected invalidWeight for \(bad)")
            } catch .invalidWeight(let variable, let r, _) {
                #expect(variable == column && r == row, "\(bad): \(variable) row \(r)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect(try ReplicateWeights(data: try columns([]), columns: names, method: .sdr).degreesOfFreedom == 2)
    }

    @Test func zeroWeightsAreAllowedAndCounted() throws {
        let design = try SurveyDesign(data: try dataset(weights: [0, 1, 2, 0, 1, 1, 1]))
        #expect(design.weights.zeroCount == 2)
        #expect(design.weights.sum == 6)
        // Kish: (Σw)²/Σw² = 36 / 8
        #expect(design.weights.kishEffectiveSize == 4.5)
    }

    @Test func missingKindsStayDistinct() throws {
        let q = try dataset(weights: [1, 1, 1, 1, 1, 1, 1]).variable("q1")
        #expect((0..<7).map { q.status(atRow: $0) } ==
                [.valid, .valid, .valid, .valid, .userMissing, .userMissing, .systemMissing])
        let coding = CategoryCoding(q)
        #expect(coding.categories.map(\.status) == [.valid, .valid, .valid, .valid, .userMissing, .userMissing, .systemMissing])
        #expect(CategoryCoding(q, missing: .excludeMissing).index == [0, 1, 2, 3, -1, -1, -1])
    }

    @Test func missingRanges() {
        let m = MissingValues(codes: [-1], ranges: [97...99])
        #expect(m.contains(98) && m.contains(-1) && !m.contains(96) && !m.contains(.nan))
    }

    @Test func groupingKeepsDontKnowAndRefused() throws {
        let q = try dataset(weights: [1, 1, 1, 1, 1, 1, 1]).variable("q1")
        let g = try q.grouped([CodeGroup(code: 1, label: "Favorable", from: [1, 2]),
                               CodeGroup(code: 2, label: "Unfavorable", from: [3, 4])], name: "q1_fav")
        #expect(g.name == "q1_fav")
        #expect(g.values.prefix(6) == [1, 1, 2, 2, 8, 9])
        #expect(g.values[6].isNaN)
        #expect(g.valueLabels == [1: "Favorable", 2: "Unfavorable", 8: "Don't know", 9: "Refused"])
        #expect(g.missing.codes == [8, 9])
        #expect(throws: BarometerError.self) {
            try q.grouped([CodeGroup(code: 1, label: "a", from: [1]), CodeGroup(code: 2, label: "b", from: [1])])
        }
    }

    @Test func reversingAnOrdinalScale() throws {
        let q = try dataset(weights: [1, 1, 1, 1, 1, 1, 1]).variable("q1")
        let r = try q.reversed()
        #expect(r.values.prefix(6) == [4, 3, 2, 1, 8, 9])
        #expect(r.valueLabels[4] == "Very favorable" && r.valueLabels[1] == "Very unfavorable")
        #expect(r.valueLabels[8] == "Don't know")
    }

    @Test func domainsKeepRows() throws {
        let design = try SurveyDesign(data: try dataset(weights: [1, 1, 1, 1, 1, 1, 1]))
        let fav = try design.domain("q1", in: [1, 2])
        #expect(fav.mask.count == 7 && fav.count == 2)
        #expect(try (fav || design.domain("q1", in: [8])).count == 3)
        #expect((!fav).count == 5)
    }

    @Test func unknownVariableSuggestsCloseNames() throws {
        let data = try dataset(weights: [1, 1, 1, 1, 1, 1, 1])
        #expect(throws: BarometerError.unknownVariable("Q1", suggestions: ["q1"])) { try data.variable("Q1") }
        #expect(throws: BarometerError.self) { try SurveyDesign(data: data, weight: "weight") }
        #expect(throws: BarometerError.duplicateVariable("w")) {
            try Dataset(variables: [Variable(name: "w", values: [1]), Variable(name: "w", values: [2])])
        }
        #expect(throws: BarometerError.lengthMismatch(variable: "b", expected: 1, actual: 2)) {
            try Dataset(variables: [Variable(name: "a", values: [1]), Variable(name: "b", values: [2, 3])])
        }
    }

    @Test func stringVariableWhereNumbersAreNeeded() throws {
        let data = try Dataset(variables: [Variable(name: "s", strings: ["a", "b"])])
        #expect(throws: BarometerError.notNumericValue(variable: "s", row: 1, value: "a")) { try SurveyDesign(data: data, weight: "s") }
    }
}
