import Barometer
/// An aggregate consistency check between a memo's published figures
/// (interval arithmetic on rounded figures; no microdata).
///
/// Each referenced claim contributes its figure's interval
/// (``PublishedFigure/interval``). Kinds:
/// - `sum`: the parts add up to `total` (Σ parts meets total);
/// - `sums-to-100`: exhaustive parts of one question (Σ parts contains 100);
/// - `at-most-100`: non-exhaustive parts of one question (Σ parts reaches
///   no more than 100 at its lower end); the residual `100 − Σ` is reported;
/// - `repercentaged`: `results[k] = 100 · parts[k] / denominator` (each
///   quotient interval meets the published result);
/// - `same-quantity`: two statements of one quantity (their intervals meet);
/// - `less-than`: `parts[0] < parts[1]` is possible.
/// Consistency is judged on the intervals' closures, so only definite
/// contradictions are reported as inconsistent.
public struct ConsistencyCheck: Sendable, Codable, Equatable {
    /// Check kinds.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The parts add up to the stated total (Σ parts meets total).
        case sum
        /// Exhaustive parts of one question: Σ parts contains 100.
        case sumsTo100 = "sums-to-100"
        /// Non-exhaustive parts of one question: Σ parts can be ≤ 100; the residual is reported.
        case atMost100 = "at-most-100"
        /// Each result is `100 · part / denominator` (each quotient interval meets the published result).
        case repercentaged
        /// Two statements of one quantity: their intervals meet.
        case sameQuantity = "same-quantity"
        /// `parts[0] < parts[1]` is possible.
        case lessThan = "less-than"
    }

    /// Id, unique among the file's claims and checks (lowercase letters, digits, `.`, `_`, `-`).
    public var id: String
    /// What is checked (see the type's description).
    public var kind: Kind
    /// Claim ids of the components (numerators for `repercentaged`).
    public var parts: [String]
    /// Claim id of the stated total (`sum`).
    public var total: String?
    /// Claim ids of the re-percentaged figures (`repercentaged`).
    public var results: [String]?
    /// Claim id of the denominator (`repercentaged`).
    public var denominator: String?
    /// What the residual of an `at-most-100` check stands for.
    public var residualLabel: String?
    /// What is checked.
    public var description: String
    /// A possible cause, reported when the check finds an inconsistency.
    public var explanation: String?

    /// Each parameter sets the property of the same name; `total`, `results` and `denominator` are needed only by the kinds named on them.
    public init(id: String, kind: Kind, parts: [String], total: String? = nil, results: [String]? = nil,
                denominator: String? = nil, residualLabel: String? = nil, description: String, explanation: String? = nil) {
        self.id = id
        self.kind = kind
        self.parts = parts
        self.total = total
        self.results = results
        self.denominator = denominator
        self.residualLabel = residualLabel
        self.description = description
        self.explanation = explanation
    }

    /// Every claim id the check reads.
    public var references: [String] { parts + [total, denominator].compactMap { $0 } + (results ?? []) }

    func validate(in file: ClaimFile) throws(BarometerError) {
        guard Claim.isIdentifier(id) else {
            throw .invalidClaim(claim: id, field: "id", reason: "ids are lowercase letters, digits, '.', '_' and '-'")
        }
        guard !parts.isEmpty else { throw .invalidClaim(claim: id, field: "parts", reason: "no parts") }
        switch kind {
        case .sum:
            guard total != nil else { throw .invalidClaim(claim: id, field: "total", reason: "a 'sum' check needs a total") }
        case .repercentaged:
            guard denominator != nil else { throw .invalidClaim(claim: id, field: "denominator", reason: "required for 'repercentaged'") }
            guard let r = results, r.count == parts.count else {
                throw .invalidClaim(claim: id, field: "results", reason: "needs one result per part (\(parts.count))")
            }
        case .sameQuantity, .lessThan:
            guard parts.count == 2 else { throw .invalidClaim(claim: id, field: "parts", reason: "needs exactly two parts, found \(parts.count)") }
        case .sumsTo100, .atMost100: break
        }
        for ref in references {
            guard let c = file.claim(ref) else {
                throw .invalidClaim(claim: id, field: "parts", reason: "refers to unknown claim '\(ref)'")
            }
            guard c.figure != nil else {
                throw .invalidClaim(claim: id, field: "parts", reason: "claim '\(ref)' has no published figure")
            }
        }
    }

    /// Runs the check on `file`'s published figures.
    /// - Throws: `BarometerError/invalidClaim(claim:field:reason:)` for a
    ///   dangling reference, `BarometerError/invalidArgument(_:)` for a
    ///   division by an interval reaching zero.
    public func run(on file: ClaimFile) throws(BarometerError) -> ConsistencyCheckResult {
        try validate(in: file)   // parts non-empty, two parts where needed, references resolve
        func figure(_ ref: String) throws(BarometerError) -> PublishedFigure {
            guard let f = file.claim(ref)?.figure else {
                throw .invalidClaim(claim: id, field: "parts", reason: "claim '\(ref)' is missing or has no figure")
            }
            return f
        }
        var figures: [PublishedFigure] = []
        for p in parts { figures.append(try figure(p)) }
        guard let first = figures.first else { throw .invalidClaim(claim: id, field: "parts", reason: "no parts") }
        let published = figures.map(\.display).joined(separator: kind == .lessThan ? " < " : (kind == .sameQuantity ? " vs " : " + "))
        let sum = figures.dropFirst().reduce(first.interval) { $0 + $1.interval }
        func result(_ ok: Bool, _ computed: FigureInterval?, _ publishedText: String, _ detail: String,
                    rows: [FigureInterval]? = nil, residual: FigureInterval? = nil) -> ConsistencyCheckResult {
            ConsistencyCheckResult(id: id, kind: kind, description: description, consistent: ok, published: publishedText,
                                   interval: computed, rowIntervals: rows, residual: residual, detail: detail,
                                   explanation: ok ? nil : explanation)
        }
        switch kind {
        case .sum:
            let t = try figure(total ?? "")
            let meets = sum.intersection(t.interval)
            return result(meets != nil, sum, "\(published) vs \(t.display)",
                          "sum of parts in \(sum); stated total stands for \(t.interval)")
        case .sumsTo100:
            return result(sum.contains(100), sum, "\(published) = 100?",
                          "sum of parts in \(sum)" + (sum.contains(100) ? ", which contains 100" : ", which excludes 100"))
        case .atMost100:
            let ok = sum.lower <= 100 + FigureInterval.slack
            let residual = sum.subtracted(from: 100)
            let clipped = FigureInterval(lower: Swift.max(0, residual.lower), upper: residual.upper,
                                         lowerClosed: residual.lower < 0 ? true : residual.lowerClosed, upperClosed: residual.upperClosed)
            return result(ok, sum, "\(published) <= 100?",
                          ok ? "sum of parts in \(sum); residual \(residualLabel ?? "(other answers)") in \(clipped)"
                             : "sum of parts in \(sum) exceeds 100", residual: ok ? clipped : nil)
        case .sameQuantity:
            let second = figures[figures.count - 1]
            let meets = first.interval.intersection(second.interval)
            return result(meets != nil, meets, published,
                          "\(first.display) stands for \(first.interval), \(second.display) for \(second.interval)"
                            + (meets == nil ? ": the intervals do not meet" : ""))
        case .lessThan:
            let a = first.interval, b = figures[figures.count - 1].interval
            let ok = a.lower < b.upper + FigureInterval.slack
            return result(ok, nil, published, "\(a) vs \(b)")
        case .repercentaged:
            let d = try figure(denominator ?? "")
            var ok = true, rows: [String] = [], quotients: [FigureInterval] = []
            for (p, r) in zip(parts, results ?? []) {
                let num = try figure(p), res = try figure(r)
                let q = try num.interval.dividing(by: d.interval).scaled(by: 100)
                let meets = q.intersection(res.interval) != nil
                quotients.append(q)
                ok = ok && meets
                rows.append("\(num.display)/\(d.display) in \(q) vs \(res.display)\(meets ? "" : " (MISMATCH)")")
            }
            return result(ok, nil, "column / \(d.display)", rows.joined(separator: "; "), rows: quotients)
        }
    }
}
