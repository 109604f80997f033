/// One design-based estimate: value, standard error, confidence interval
/// with the design's degrees of freedom, and design effects.
public struct DesignEstimate: Sendable, Codable, Equatable {
    /// What is estimated, e.g. `mean(api00)` or `api_stu/enroll`.
    public let name: String
    /// The estimate.
    public let estimate: Double
    /// Its standard error.
    public let standardError: Double
    /// Confidence interval `estimate ± t_{df, 1−α/2} · SE`.
    public let lower: Double
    /// Upper end of the confidence interval (see ``lower``).
    public let upper: Double
    /// Confidence level, e.g. 0.95.
    public let level: Double
    /// Degrees of freedom of the t quantile (the design's).
    public let degreesOfFreedom: Int
    /// Design effect against simple random sampling without replacement of
    /// the same size (R `deff = TRUE`). Kept for compatibility: it is the same
    /// number as ``designEffectWithoutReplacement``, so it is nil unless the
    /// design has a population size (fpc) and `Σw ≥ n` (see there).
    public let designEffect: Double?
    /// Design effect against sampling with replacement (R `deff = "replace"`);
    /// the same number as ``designEffectWithReplacement``.
    public let designEffectReplace: Double?
    /// Respondents with non-zero weight that entered the estimate.
    public let count: Int
    /// Σw over the rows that entered it.
    public let weightedCount: Double
    /// The design effect shown by default: design variance over the variance
    /// under simple random sampling WITH replacement of the same size,
    /// `v / (s²/n)` (R `svymean(..., deff = "replace")`). Nil (with
    /// ``designEffectNote``) when undefined, never negative or infinite.
    public var designEffectWithReplacement: Double? = nil
    /// Design variance over the SRS variance without replacement,
    /// `v / (s²/n · (N̂ − n)/N̂)` with `N̂ = Σw` (R `deff = TRUE`). Given only
    /// when the design carries a population size (an fpc), and then only when
    /// `N̂ > n` (R: NA, "Sample size greater than population size: are weights
    /// correctly scaled?"); nil otherwise.
    public var designEffectWithoutReplacement: Double? = nil
    /// Why a design effect is not given (nil when both are, or for a ratio or
    /// correlation, which have none).
    public var designEffectNote: String? = nil

    /// √deff (Kish's deft) of the with-replacement design effect.
    public var deft: Double? { designEffectWithReplacement.map { $0.squareRoot() } }
    /// Effective sample size n / deff (with replacement).
    public var effectiveSize: Double? { designEffectWithReplacement.map { Double(count) / $0 } }
}

/// The two design effects of one estimate, from its design variance `v` and
/// its SRS variances without and with replacement (`srs.0`, `srs.1`), with
/// a note when one is not given. Never returns a negative or non-finite
/// design effect.
struct DesignEffects: Sendable, Equatable {
    var withReplacement: Double?
    var withoutReplacement: Double?
    var note: String?

    init(variance v: Double, srs: (Double, Double)?, hasPopulationSize: Bool) {
        guard let (without, with) = srs else {
            note = "deff not defined: fewer than 2 respondents with positive weight"
            return
        }
        var notes: [String] = []
        if with > 0, v.isFinite, v >= 0 {
            withReplacement = v / with
        } else {
            notes.append("deff not defined: the answers do not vary in the base (SRS variance 0)")
        }
        if hasPopulationSize && with > 0 {
            if without > 0, v.isFinite, v >= 0 {
                withoutReplacement = v / without
            } else if without < 0 {
                notes.append("deff without replacement not defined: sample size greater than population size (Σw < n): are weights correctly scaled?")
            } else {
                notes.append("deff without replacement not defined: Σw = n (a census has SRS variance 0)")
            }
        }
        note = notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// The note saying which design effect a share table shows.
    static func shareNote(hasPopulationSize: Bool) -> String {
        "Deff (design, w/ repl.): design variance over the SRS variance WITH replacement of the same size (R svymean deff = \"replace\")"
            + (hasPopulationSize ? "." : "; the without-replacement deff needs a population size (an fpc) and is not given.")
    }

    /// The note saying which design effect a table shows.
    static func tableNote(withoutShown: Bool) -> String {
        "deff: design variance over the SRS variance WITH replacement of the same size (R svymean deff = \"replace\"); deft = √deff."
            + (withoutShown
               ? " deff w/o repl.: against SRS without replacement from N̂ = Σw (R deff = TRUE), given because the design has an fpc."
               : " The without-replacement deff is not shown: it needs a population size (an fpc).")
    }
}

/// Estimates from one call, with the design and base they refer to.
public struct DesignEstimates: Sendable, Codable, Equatable, TableRepresentable {
    /// `mean`, `total`, `ratio` or `proportion`.
    public let kind: String
    /// The estimates.
    public let estimates: [DesignEstimate]
    /// How variances were computed.
    public let variance: String
    /// The base: domain and missing-data rule.
    public let base: String
    /// The weight variable (nil: unweighted).
    public let weight: String?

    public var textTable: TextTable {
        // The without-replacement column only when some estimate has one (a design with an fpc).
        let without = estimates.contains { $0.designEffectWithoutReplacement != nil }
        // Ratios compute no design effect (R svyratio's default deff = FALSE prints none): no deff
        // columns and no deff note; an estimate whose deff is not defined keeps the columns and its note.
        let deffs = kind != "ratio" || estimates.contains { $0.designEffectWithReplacement != nil }
        let rows = estimates.map { e in
            [e.name, NumberFormat.fixed(e.estimate, 4), NumberFormat.fixed(e.standardError, 4),
             NumberFormat.fixed(e.lower, 4), NumberFormat.fixed(e.upper, 4), String(e.degreesOfFreedom)]
            + (deffs ? [NumberFormat.fixed(e.designEffectWithReplacement, 3), NumberFormat.fixed(e.deft, 3)] : [])
            + (without ? [NumberFormat.fixed(e.designEffectWithoutReplacement, 3)] : []) + [String(e.count)]
        }
        let level = estimates.first.map { NumberFormat.fixed($0.level * 100, 0) } ?? "95"
        var notes = ["Base: \(base).", "Weight: \(weight ?? "none (unweighted)").", "Variance: \(variance)."]
        if kind.contains("correlation") {
            notes.append("CI: tanh(atanh r ± t(df)·SE/(1 − r²)) (Fisher z, inside [−1, 1]); SE by the delta method on the design covariance of the moments, or by replicates.")
        } else {
            notes.append("CI: estimate ± t(df)·SE.")
            if deffs { notes.append(DesignEffects.tableNote(withoutShown: without)) }
        }
        for e in estimates { if let n = e.designEffectNote { notes.append("\(e.name): \(n).") } }
        return TextTable(title: "Design-based \(kind)",
                         headers: ["Estimate of", "Value", "SE", "\(level)% CI low", "\(level)% CI high", "df"]
                            + (deffs ? ["deff", "deft"] : []) + (without ? ["deff w/o repl."] : []) + ["n"],
                         rows: rows, notes: notes)
    }
}
