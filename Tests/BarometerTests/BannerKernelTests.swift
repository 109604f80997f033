@testable import Barometer
import Foundation
import Testing

/// The all-pairs counting kernel behind BannerTable, checked cell for cell
/// (bit for bit) against the per-pair `CellTally` of the combined index —
/// the path that FrequencyTable/ContingencyTable use and that is itself
/// checked against pandas/R (BannerTableTests, ContingencyTableTests) —
/// across worker counts, chunk sizes, domains, missing codes, and both slot
/// widths (UInt16 and UInt32 slot tables).
@Suite struct BannerKernelTests {
    /// A deterministic survey: `p` questions with codes 1…k (k varying per
    /// question), user-missing 8/9 and system-missing, non-integer weights.
    static func survey(n: Int, p: Int) throws -> SurveyDesign {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var vars: [Variable] = []
        for j in 0..<p {
            let k = 2 + j % 5
            let values: [Double] = (0..<n).map { _ in
                let u = next() % 100
                if u < 3 { return .nan }
                if u < 6 { return 8 }
                if u < 8 { return 9 }
                return Double(1 + Int(next() % UInt64(k)))
            }
            vars.append(Variable(name: "q\(j + 1)", values: values, missing: MissingValues(codes: [8, 9])))
        }
        let w = (0..<n).map { _ in 0.25 + Double(next() % 100_000) / 37_000.0 }
        vars.append(Variable(name: "wt", level: .scale, values: w))
        vars.append(Variable(name: "region", values: (0..<n).map { Double($0 % 4) }))
        return try SurveyDesign(data: try Dataset(variables: vars), weight: "wt")
    }

    /// Per-pair reference: `CellTally` of the combined index (row fastest).
    static func direct(_ a: CategoryCoding, _ b: CategoryCoding, _ d: SurveyDesign, _ dom: Domain?) throws -> CellTally {
        try CellTally(cellCount: a.count * b.count, index: try CategoryCoding.combinedIndex([a, b]),
                      weights: d.weights, domain: dom)
    }

    func expectIdentical(rows: [CategoryCoding], columns: [CategoryCoding], symmetric: Bool, design: SurveyDesign,
                         domain: Domain?, chunkRows: Int, workers: Int, blockBytes: Int = 4 << 20) throws {
        let got = try CellTally.pairs(rows: rows, columns: columns, symmetric: symmetric, weights: design.weights,
                                      domain: domain, chunkRows: chunkRows, workers: workers, blockBytes: blockBytes)
        #expect(got.count == rows.count * columns.count)
        for a in rows.indices {
            for b in columns.indices {
                let want = try Self.direct(rows[a], columns[b], design, domain)
                // Equatable on CellTally compares counts, Σw and Σw² exactly.
                #expect(got[a * columns.count + b] == want, "pair \(a)×\(b), chunk \(chunkRows), workers \(workers)")
            }
        }
    }

    @Test func symmetricBannerEqualsPerPairTalliesForAnyWorkerCountAndChunk() throws {
        let d = try Self.survey(n: 3_001, p: 9)
        let names = (1...9).map { "q\($0)" }
        for missing in [MissingInclusion.showMissing, .excludeMissing] {
            let c = CategoryCoding.coding(try names.map { try d.variable($0) }, missing: missing)
            for (chunk, workers) in [(4096, 1), (37, 2), (1000, 3), (1, 8)] {
                try expectIdentical(rows: c, columns: c, symmetric: true, design: d, domain: nil,
                                    chunkRows: chunk, workers: workers)
            }
            // Many blocks (a tiny table budget): one chunk per block, and several chunks per block.
            for (chunk, bytes) in [(100, 10), (50, 4 * 9 * 2 * 50)] {
                try expectIdentical(rows: c, columns: c, symmetric: true, design: d, domain: nil,
                                    chunkRows: chunk, workers: 2, blockBytes: bytes)
            }
        }
    }

    @Test func rectangularBannerInADomain() throws {
        let d = try Self.survey(n: 2_500, p: 7)
        let dom = try d.domain("region", in: [1, 2])
        let r = CategoryCoding.coding(try ["q1", "q5", "q7"].map { try d.variable($0) })
        let c = CategoryCoding.coding(try ["q2", "q3", "q4", "q6"].map { try d.variable($0) }, missing: .excludeMissing)
        for (chunk, workers, bytes) in [(64, 1, 4 << 20), (333, 2, 4 << 20), (5000, 3, 4 << 20), (70, 2, 1)] {
            try expectIdentical(rows: r, columns: c, symmetric: false, design: d, domain: dom,
                                chunkRows: chunk, workers: workers, blockBytes: bytes)
        }
        // Through the public type: the symmetric shortcut in a domain equals the rectangular banner.
        let names = ["q1", "q2", "q3"]
        let sym = try BannerTable(d, rows: names, columns: names, domain: dom, chunkRows: 100)
        let rect = try BannerTable(d, rows: names, columns: names + ["q4"], domain: dom, chunkRows: 100)
        for x in names { for y in names { #expect(try sym.pair(x, y) == rect.pair(x, y)) } }
        // Pairwise deletion is what the base states.
        let ex = try BannerTable(d, rows: names, columns: names, missing: .excludeMissing)
        #expect(ex.base.kind == .validAnswers && ex.base.description.contains("pairwise"))
        #expect(!ex.base.description.contains("listwise"))
        #expect(sym.base.kind == .domain)
    }

    /// More than 65,536 column slots: the kernel switches to a UInt32 slot table (here in several blocks).
    @Test func wideCodingsUseTheWideSlotTable() throws {
        let n = 70_000
        let id = Variable(name: "id", level: .nominal, values: (0..<n).map { Double($0 * 3 % n) + 0.5 })
        let q = Variable(name: "q", values: (0..<n).map { Double(1 + $0 % 3) })
        let w = Variable(name: "wt", level: .scale, values: (0..<n).map { 0.5 + Double($0 % 11) / 7 })
        let d = try SurveyDesign(data: try Dataset(variables: [id, q, w]), weight: "wt")
        let rows = [CategoryCoding(try d.variable("q"))]
        let columns = [CategoryCoding(try d.variable("id")), CategoryCoding(try d.variable("q"))]
        #expect(columns[0].count == n)
        try expectIdentical(rows: rows, columns: columns, symmetric: false, design: d, domain: nil,
                            chunkRows: 4096, workers: 2, blockBytes: 1 << 17)
    }

    @Test func oversizedLayoutsAreTypedErrors() throws {
        #expect(throws: BarometerError.self) { try PairLayout(rows: [2], columns: [Int(Int32.max)], symmetric: false) }
        #expect(throws: BarometerError.self) { try PairLayout(rows: [Int.max / 4], columns: [7], symmetric: false) }
        let ok = try PairLayout(rows: [2, 3], columns: [2, 3], symmetric: true)
        // Strips: variable 0 has partners 0, 1 (3 + 4 slots), variable 1 only itself (4 slots).
        #expect(ok.width == [7, 4] && ok.base == [0, 14, 26] && ok.slots == 26)
    }

    @Test func mismatchedLengthsAreTypedErrors() throws {
        let d = try Self.survey(n: 100, p: 2)
        let short = try Self.survey(n: 99, p: 2)
        let c = [CategoryCoding(try d.variable("q1"))]
        #expect(throws: BarometerError.self) {
            try CellTally.pairs(rows: c, columns: c, symmetric: true, weights: short.weights, domain: nil, chunkRows: 10)
        }
        let dom = try short.domain("region", in: [1])
        #expect(throws: BarometerError.self) {
            try CellTally.pairs(rows: c, columns: c, symmetric: true, weights: d.weights, domain: dom, chunkRows: 10)
        }
    }
}

/// The conversion-free small-code test of CategoryCoding against its
/// definition (a whole number in 0..<smallCodeLimit), on edge values.
@Suite struct SmallCodeTests {
    static func definition(_ v: Double) -> Int? {
        guard v >= 0, v < Double(CategoryCoding.smallCodeLimit), v.rounded(.towardZero) == v else { return nil }
        return Int(v)
    }

    @Test func agreesWithTheDefinition() {
        let limit = Double(CategoryCoding.smallCodeLimit)
        var values: [Double] = [0, -0.0, 1, 5, 0.5, -0.5, -1, -0.4, 0.4, limit - 1, limit - 0.5, limit, limit + 1,
                                limit.nextDown, (limit - 1).nextUp, (limit - 1).nextDown, 1.nextUp, 1.nextDown,
                                .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
                                ExtendedMissing.value(for: "a") ?? .nan,
                                0x1p51, 0x1p51 + 5, 0x1p52, 0x1p52 + 7, 0x1p53 + 2, -0x1p51, -0x1p52, -0x1p52 - 7,
                                -0x1p53, 0x1.8p52, -0x1.8p52, 0x1.8p52 + 3, -0x1.8p52 + 3, 4.5e15, -4.5e15, 1e300]
        for k in stride(from: -20.0, through: limit + 20, by: 0.25) { values.append(k) }
        for v in values {
            #expect(CategoryCoding.smallCode(v) == Self.definition(v), "\(v)")
        }
    }
}
