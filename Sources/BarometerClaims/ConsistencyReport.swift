import Barometer
/// Every aggregate consistency check of a claim file, run on the published
/// figures alone (no microdata): rounding-interval arithmetic (a printed
/// integer percent `x` stands for `[x − 0.5, x + 0.5)`, one decimal for
/// `±0.05`), judged on closures so that only definite contradictions are
/// reported. Inconsistencies are listed with the claim file's explanation,
/// never hidden.
public struct ConsistencyReport: Sendable, Codable, Equatable, TableRepresentable {
    /// Memo id.
    public let memo: String
    /// Memo title.
    public let title: String
    /// One result per check, in file order.
    public let results: [ConsistencyCheckResult]

    /// Runs every check of `file` (after validating it).
    /// - Throws: `BarometerError/invalidClaim(claim:field:reason:)` for an
    ///   invalid file.
    public init(_ file: ClaimFile) throws(BarometerError) {
        try file.validate()
        var out: [ConsistencyCheckResult] = []
        for c in file.checks { out.append(try c.run(on: file)) }
        memo = file.memo.id
        title = file.memo.title
        results = out
    }

    /// The checks that found a contradiction.
    public var inconsistent: [ConsistencyCheckResult] { results.filter { !$0.consistent } }

    /// The result of check `id`.
    public func result(_ id: String) -> ConsistencyCheckResult? { results.first { $0.id == id } }

    public var textTable: TextTable {
        let rows = results.map { r in
            [r.id, r.published, r.interval?.description ?? "", r.residual?.description ?? "",
             r.consistent ? "consistent" : "INCONSISTENT"]
        }
        var notes = ["Interval arithmetic on rounded figures: an integer percent x stands for [x-0.5, x+0.5), one decimal for [x-0.05, x+0.05); judged on closed intervals."]
        for r in results where !r.consistent {
            notes.append("\(r.id): \(r.detail)." + (r.explanation.map { " Possible cause: \($0)" } ?? ""))
        }
        notes.append("\(results.count - inconsistent.count) of \(results.count) checks consistent.")
        return TextTable(title: "Consistency of published figures: \(title)",
                         headers: ["Check", "Published", "Sum interval", "Left for other answers", "Result"],
                         alignments: [.left, .left, .left, .left, .left], rows: rows, notes: notes)
    }
}
