import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// Claim files: the committed files decode and validate; malformed files are
/// rejected with `invalidClaim` naming the claim id and the field.
@Suite struct ClaimsSchemaTests {
    static let ponars = "Fixtures/memos/ponars-658.claims.json"
    static let odr = "Fixtures/memos/odr-2020.claims.json"

    /// The committed PONARS file as a mutable JSON tree.
    static func tree() throws -> [String: Any] {
        try #require(Fixture.json(ponars) as? [String: Any])
    }

    /// Decodes a modified tree; returns the error it raised.
    static func reject(_ tree: [String: Any]) throws -> BarometerError? {
        let data = try JSONSerialization.data(withJSONObject: tree)
        do { _ = try ClaimFileLoader.decode(data); return nil } catch { return error }
    }

    static func editClaim(_ t: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) {
        var claims = t["claims"] as? [[String: Any]] ?? []
        edit(&claims[index])
        t["claims"] = claims
    }

    static func index(of id: String, in t: [String: Any]) -> Int {
        (t["claims"] as? [[String: Any]] ?? []).firstIndex { $0["id"] as? String == id } ?? -1
    }

    @Test func committedFilesLoadAndValidate() throws {
        let p = try ClaimFileLoader.load(Fixture.path(Self.ponars))
        let o = try ClaimFileLoader.load(Fixture.path(Self.odr))
        #expect(p.memo.id == "ponars-658" && o.memo.id == "odr-2020")
        #expect(p.claims.count == 59 && p.checks.count == 17)
        #expect(o.claims.count == 26 && o.checks.count == 9)
    }

    /// Every quantitative statement of the memos has a claim: the published
    /// values, read off the memo texts, appear with the right rounding.
    @Test func coversEveryPublishedFigure() throws {
        let p = try ClaimFileLoader.load(Fixture.path(Self.ponars))
        let o = try ClaimFileLoader.load(Fixture.path(Self.odr))
        func values(_ f: ClaimFile) -> [Double] { f.claims.compactMap { $0.figure?.value }.sorted() }
        let ponarsMemo: [Double] = [39, 48, 5, 6, 2, 46, 42, 6, 3, 3, 37, 35, 14, 8, 6,   // Table 1
                                    87, 8, 88, 6, 72, 14, 55, 71, 59, 65, 89, 82, 18,     // prose
                                    47, 8, 7, 2, 11, 7, 57, 10, 9, 3, 14, 9,              // Table 2 (+ paragraph)
                                    72, 7, 100, 66.7, 33.3, 75, 5]                        // Gallup, focus groups
        #expect(values(p) == ponarsMemo.sorted())
        let odrMemo: [Double] = [49, 26, 17, 23, 65, 4, 24, 55, 12, 24, 3.9, 3.2, 10, 7.4, 50, 1, 1, 1, 1,
                                 51, 2.5, 0.1, 20, 37, 8, 24]
        #expect(values(o) == odrMemo.sorted())
        // Sign claims: 6 correlations and 6 partial correlations given leadership opinion, incl. US-Russia.
        let signs = p.claims.filter { $0.verdict == .sign }
        #expect(signs.count == 12)
        let partial = signs.filter { $0.computation.kind == .partialCorrelation }
        #expect(partial.count == 6)
        #expect(partial.allSatisfy { $0.computation.controls == ["q_leader_opinion"] && $0.expectedSign == .positive })
        #expect(partial.contains { Set($0.computation.variables ?? []) == ["q_russia_opinion", "q_us_opinion"] })
        #expect(partial.contains { Set($0.computation.variables ?? []) == ["q_closer_russia", "q_closer_us"] })
        // One-decimal figures keep their rounding.
        #expect(o.claim("odr2020.model.us")?.figure?.rounding == .oneDecimal)
        #expect(o.claim("odr2020.friend.us")?.figure?.interval == FigureInterval(lower: 0.05, upper: 0.15000000000000002, lowerClosed: true, upperClosed: false))
    }

    @Test func missingFieldNamesClaimAndField() throws {
        var t = try Self.tree()
        Self.editClaim(&t, 0) { $0["statement"] = nil }
        #expect(try Self.reject(t) == .invalidClaim(claim: "ponars658.t1.russia-opinion.very-favorable", field: "statement",
                                                    reason: "required field is missing"))
    }

    @Test func unknownComputationKind() throws {
        var t = try Self.tree()
        Self.editClaim(&t, 2) { c in
            var comp = c["computation"] as? [String: Any] ?? [:]; comp["kind"] = "median"; c["computation"] = comp
        }
        let e = try #require(try Self.reject(t))
        guard case .invalidClaim(let claim, let field, _) = e else { Issue.record("\(e)"); return }
        #expect(claim == "ponars658.t1.russia-opinion.dk-na" && field == "computation.kind")
    }

    @Test func semanticErrors() throws {
        let base = try Self.tree()
        func expectError(_ id: String, _ field: String, named: String? = nil, _ edit: (inout [String: Any]) -> Void) throws {
            var t = base
            Self.editClaim(&t, Self.index(of: id, in: t), edit)
            let e = try #require(try Self.reject(t), "no error for \(id).\(field)")
            guard case .invalidClaim(let claim, let f, let reason) = e else { Issue.record("\(e)"); return }
            #expect(claim == (named ?? id) && f == field, "\(claim) \(f): \(reason)")
            #expect(!reason.isEmpty)
        }
        // Rounding that does not match the printed value.
        try expectError("ponars658.t1.russia-opinion.very-favorable", "figure.rounding") { c in
            var f = c["figure"] as? [String: Any] ?? [:]; f["value"] = 39.5; c["figure"] = f
        }
        // A conditional share without its condition.
        try expectError("ponars658.p4.us-favorable-given-russia-favorable", "computation.given") { c in
            var comp = c["computation"] as? [String: Any] ?? [:]; comp["given"] = nil; c["computation"] = comp
        }
        // A sign verdict without the expected sign.
        try expectError("ponars658.p5.pcorr.opinion.russia-us", "expectedSign") { $0["expectedSign"] = nil }
        // A partial correlation without controls.
        try expectError("ponars658.p5.pcorr.opinion.russia-us", "computation.controls") { c in
            var comp = c["computation"] as? [String: Any] ?? [:]; comp["controls"] = nil; c["computation"] = comp
        }
        // A multiple-response code outside the response codes.
        try expectError("ponars658.t2.all.domestic", "computation.codes") { c in
            var comp = c["computation"] as? [String: Any] ?? [:]; comp["codes"] = [42]; c["computation"] = comp
        }
        // An approximate figure without tolerance.
        try expectError("ponars658.fg.partner-three-quarters", "figure.tolerance") { c in
            var f = c["figure"] as? [String: Any] ?? [:]; f["tolerance"] = nil; c["figure"] = f
        }
        // A recomputable share declared not recomputable.
        try expectError("ponars658.p2.russia-favorable", "verdict") { $0["verdict"] = "not-recomputable" }
        // A percent above 100.
        try expectError("ponars658.t1.eeu-benefit.strongly-agree", "figure.value") { c in
            var f = c["figure"] as? [String: Any] ?? [:]; f["value"] = 137; c["figure"] = f
        }
        // An id with capitals.
        try expectError("ponars658.t1.eeu-benefit.dk-na", "id", named: "Ponars.Bad") { $0["id"] = "Ponars.Bad" }
    }

    @Test func duplicateIdAndDanglingCheck() throws {
        var t = try Self.tree()
        Self.editClaim(&t, 1) { $0["id"] = "ponars658.t1.russia-opinion.very-favorable" }
        #expect(try Self.reject(t) == .invalidClaim(claim: "ponars658.t1.russia-opinion.very-favorable", field: "id", reason: "duplicate id"))

        var u = try Self.tree()
        var checks = u["checks"] as? [[String: Any]] ?? []
        checks[0]["parts"] = ["ponars658.no-such-claim"]
        u["checks"] = checks
        let id = checks[0]["id"] as? String ?? ""
        #expect(try Self.reject(u) == .invalidClaim(claim: id, field: "parts", reason: "refers to unknown claim 'ponars658.no-such-claim'"))
    }

    @Test func fileLevelErrors() throws {
        var t = try Self.tree()
        t["format"] = "barometer-claims/9"
        #expect(try Self.reject(t) == .invalidClaim(claim: "(file)", field: "format", reason: "expected 'barometer-claims/1', found 'barometer-claims/9'"))
        do { _ = try ClaimFileLoader.decode(Data("{\"format\": ".utf8)); Issue.record("accepted broken JSON") } catch {
            guard case .invalidClaim(let c, _, _) = error else { Issue.record("\(error)"); return }
            #expect(c == "(file)")
        }
    }

    @Test func mappingTranslatesNamesAndCodes() throws {
        let json = """
        {"format": "barometer-mapping/1", "claims": "ponars-658", "weight": "W",
         "variables": {"q_russia_opinion": {"name": "Q12_RU", "codes": {"1": 4, "2": 3, "3": 2, "4": 1, "8": [98, 99]}},
                       "wave": {"name": "YEAR"},
                       "q_russia_reason1": {"name": "R1", "codes": {"1": 11, "98": 998, "99": 999}},
                       "q_russia_reason2": {"name": "R2"}}}
        """
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("claims-mapping-\(getpid()).json")
        try Data(json.utf8).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let m = try ClaimFileLoader.loadMapping(tmp.path)
        let f = try ClaimFileLoader.load(Fixture.path(Self.ponars)).applying(m)
        let fav = try #require(f.claim("ponars658.p2.russia-favorable"))
        #expect(fav.computation.variable == "Q12_RU" && fav.computation.codes == [4, 3])
        let dk = try #require(f.claim("ponars658.t1.russia-opinion.dk-na"))
        #expect(dk.computation.codes == [98, 99, 9])     // 8 -> 98, 99; 9 unmapped stays
        let c89 = try #require(f.claim("ponars658.p7.russia-favorable-89"))
        #expect(c89.computation.domain == ClaimSelection(variable: "YEAR", codes: [2019]))
        let cond = try #require(f.claim("ponars658.p4.us-favorable-given-russia-favorable"))
        #expect(cond.computation.given == ClaimSelection(variable: "Q12_RU", codes: [4, 3]))
        #expect(cond.computation.variable == "q_us_opinion")
        // Multiple-response columns share the first column's code map.
        let mr = try #require(f.claim("ponars658.t2.all.domestic"))
        #expect(mr.computation.variables == ["R1", "R2"] && mr.computation.codes == [11])
        #expect(mr.computation.responseCodes == [11, 2, 3, 4, 5, 6, 7, 96, 998, 999])
        #expect(mr.computation.domain == ClaimSelection(variable: "Q12_RU", codes: [4, 3]))

        let bad = ClaimMapping(format: "nope", variables: [:])
        #expect(throws: BarometerError.invalidClaim(claim: "(mapping)", field: "format", reason: "expected 'barometer-mapping/1', found 'nope'")) {
            try bad.validate()
        }
    }
}
