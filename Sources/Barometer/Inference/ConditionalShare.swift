/// The share of respondents whose answer to Y is in a code set, among
/// those whose answer to X is in another code set — "of those favourable
/// to Russia ({1, 2}), 55% are favourable to the US ({1, 2})" — with
/// numerator and denominator (weighted and unweighted), standard errors
/// and a confidence interval.
///
/// **Base (denominator).** By default (``Denominator/validAnswers``) the
/// respondents in the X domain (and the optional extra domain) with a
/// valid answer to Y; "Don't know", "Refused" and system-missing answers
/// to Y are left out and the base says so. With
/// ``Denominator/allInDomain`` every respondent in the domain counts, so
/// DK/Refused/no answer sit in the denominator (and may be named in the
/// numerator's code set).
///
/// **Estimate.** `p = Σ_{num} w / Σ_{den} w`.
///
/// **Standard errors.** Two are reported:
/// - ``standardError`` `= √(p(1−p)/n_eff)` with Kish's effective size of
///   the denominator `n_eff = (Σw)²/Σw²` (Kish 1965); Wald, Wilson,
///   Clopper-Pearson and Agresti-Coull intervals use `(p, n_eff)`;
/// - ``designStandardError``: the design-based variance of the domain
///   ratio `Σw·y·d / Σw·d` from the shared estimation engine
///   (`RatioOfTotals`: Taylor linearization over the design's strata and
///   PSUs, or its replicate weights), as R `svymean(~y, subset(design, base))`
///   computes it; for a weights-only design
///   `v = N/(N−1) · Σ_{den} w²(y−p)² / (Σ_{den} w)²` with `N` the rows of the
///   whole design (domain estimation keeps every row). Logit and
///   Korn-Graubard intervals use `v` and the domain's degrees of freedom
///   (R `degf(subset(design, base))`: PSUs with w > 0 in the base minus
///   their strata; respondents − 1 for a weights-only design), exactly as
///   `svyciprop` does (see ``ProportionInterval``).
///
/// Unweighted, `n_eff = n` and `v = N/(N−1)·n·p(1−p)/n²` (so for the whole
/// sample, `p(1−p)/(n−1)`).
///
/// **Defaults.** The interval is ``ProportionIntervalMethod/standard``
/// (logit on the design SE with the design's df, as R `svyciprop` and
/// Python `svy`); Kish-based methods are available by name. The design
/// effect shown is the one against SRS with replacement
/// (``designEffectWithReplacement``, R `deff = "replace"`); the one without
/// replacement is given only when the design has a population size (fpc).
///
/// **Warnings.** A code of Y or X that is neither a value label nor a value
/// present in the data can only count zero respondents; ``warnings`` names
/// it and the variable's codes.
///
/// Edge cases: an empty base (or zero weight) throws
/// ``BarometerError/emptyDomain(_:)``; p = 0 and p = 1 give one-sided
/// Wilson / Clopper-Pearson / Korn-Graubard intervals; Wald's and logit's
/// degenerate intervals are flagged (``ProportionInterval/degenerate``);
/// all weight on one respondent gives `n_eff = 1`.
public struct ConditionalShare: Sendable, Equatable, Encodable, TableRepresentable {
    /// Who is in the denominator.
    public enum Denominator: String, Sendable, Codable, CaseIterable {
        /// Respondents in the domain with a valid answer to Y (default).
        case validAnswers
        /// Every respondent in the domain (DK/Refused/system-missing included).
        case allInDomain
    }

    /// Y: the variable and the codes that count as "yes".
    public let variable: String
    /// The codes of ``variable`` that count as "yes" (sorted).
    public let codes: [Double]
    /// X: the conditioning variable and codes (nil for an unconditional share).
    public let among: String?
    /// The codes of ``among`` that define the condition (nil for an unconditional share).
    public let amongCodes: [Double]?
    /// Denominator rule and the resulting base.
    public let denominator: Denominator
    /// The base the ``denominator`` rule gives: who is counted in the denominator.
    public let base: TableBase
    /// Weight variable, nil when unweighted.
    public let weight: String?
    /// Respondents / Σw in the numerator.
    public let numeratorCount: Int
    /// Σw over the numerator (equal to ``numeratorCount`` when unweighted).
    public let numeratorWeighted: Double
    /// Respondents / Σw in the denominator.
    public let denominatorCount: Int
    /// Σw over the denominator (equal to ``denominatorCount`` when unweighted).
    public let denominatorWeighted: Double
    /// p.
    public let estimate: Double
    /// `√(p(1−p)/n_eff)`.
    public let standardError: Double
    /// Linearization SE (R `svymean` on the domain, weights-only design).
    public let designStandardError: Double
    /// Kish effective size of the denominator.
    public let effectiveSize: Double
    /// Design effect of weighting `n / n_eff` of the denominator.
    public let weightingDesignEffect: Double
    /// Design effect of the full design against simple random sampling
    /// without replacement of the same size (R `svymean(..., deff = TRUE)` on
    /// the base): the same number as ``designEffectWithoutReplacement``, so
    /// nil unless the design has a population size (fpc) and `Σw > n`.
    public let designEffect: Double?
    /// The same against sampling with replacement (R `deff = "replace"`):
    /// ``designEffectWithReplacement``.
    public let designEffectReplace: Double?
    /// The design effect shown: design variance over the SRS variance with
    /// replacement (R `deff = "replace"`). Nil (with ``designEffectNote``)
    /// when undefined, never negative or infinite.
    public let designEffectWithReplacement: Double?
    /// Design variance over the SRS variance without replacement from
    /// `N̂ = Σw` (R `deff = TRUE`); only for a design with an fpc, and nil
    /// with a note when `Σw ≤ n`.
    public let designEffectWithoutReplacement: Double?
    /// Why a design effect is missing, if one is.
    public let designEffectNote: String?
    /// Warnings about the request, e.g. a code that matches nothing.
    public let warnings: [String]
    /// Design degrees of freedom (respondents in the base with w > 0, minus 1).
    public let degreesOfFreedom: Double
    /// The confidence interval.
    public let interval: ProportionInterval
    /// How the design variance was computed (linearization or replicates).
    public let varianceDescription: String

    /// What another interval method needs (encoded as `intervalInput`, so a decoded share gives the same intervals).
    public let intervalInput: ProportionInterval.Input

    enum CodingKeys: String, CodingKey {
        case variable, codes, among, amongCodes, denominator, base, weight, numeratorCount, numeratorWeighted,
             denominatorCount, denominatorWeighted, estimate, standardError, designStandardError,
             effectiveSize, weightingDesignEffect, degreesOfFreedom, interval, varianceDescription,
             designEffectWithReplacement, designEffectWithoutReplacement, designEffectNote, warnings, intervalInput
    }

    /// The share of `variable ∈ codes` among `among ∈ amongCodes` (all
    /// respondents when `among` is nil), within `domain`.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/notNumeric(variable:)``, ``BarometerError/emptyDomain(_:)``
    ///   for an empty base, ``BarometerError/invalidArgument(_:)`` for an
    ///   empty code set or a user-missing code named under
    ///   ``Denominator/validAnswers``, and the errors of ``ProportionInterval/compute(_:_:level:)``.
    public init(_ design: SurveyDesign, of variable: String, in codes: Set<Double>,
                among: String? = nil, in amongCodes: Set<Double> = [], domain: Domain? = nil,
                denominator: Denominator = .validAnswers, method: ProportionIntervalMethod = .standard,
                level: Double = 0.95) throws(BarometerError) {
        let y = try Self.outcome(design, variable, codes, denominator)
        var warnings: [String] = []
        if let w = ShareComputation.unmatchedCodesWarning(y, codes) { warnings.append(w) }
        if let x = among, let w = ShareComputation.unmatchedCodesWarning(try design.variable(x), amongCodes) { warnings.append(w) }
        var dom = domain
        if let x = among {
            guard !amongCodes.isEmpty else { throw .invalidArgument("empty code set for \(x)") }
            let d = try design.domain(x, in: amongCodes)
            dom = try dom.map { (e) throws(BarometerError) in try e && d } ?? d
        }
        if let d = dom, d.mask.count != design.rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: design.rowCount, actual: d.mask.count)
        }
        let computed: ShareComputation
        if design.sampling.calibration == nil || design.replicates != nil {
            // The share accumulator with one base, the domain (the streamed and merged passes use it too).
            computed = try design.shareAccumulator(y, codes: codes, denominator: denominator, by: nil, domain: dom, seen: [])
                .computation(bases: [Category(code: 0, label: "all", status: .valid)])
        } else {
            // Calibrated weights (linearization): the row pass, whose variance takes the calibration residuals.
            let base = dom.map { d in d.mask.map { $0 ? Int32(0) : -1 } } ?? [Int32](repeating: 0, count: design.rowCount)
            computed = try ShareComputation(design, answers: ShareComputation.answers(y, codes: codes, denominator: denominator),
                                            base: consume base, count: 1)
        }
        try self.init(design, of: variable, in: codes, among: among, in: among == nil ? nil : amongCodes.sorted(),
                      domain: dom?.description, denominator: denominator, computed: computed, base: 0,
                      method: method, level: level, warnings: warnings)
    }

    /// Y, checked: numeric, a non-empty code set, and (valid-answers base)
    /// no user-missing code in it.
    static func outcome(_ design: SurveyDesign, _ variable: String, _ codes: Set<Double>,
                        _ denominator: Denominator) throws(BarometerError) -> Variable {
        guard !codes.isEmpty else { throw .invalidArgument("empty code set for \(variable)") }
        let y = try design.variable(variable)
        try y.requireNumeric()
        if denominator == .validAnswers, let c = codes.first(where: { y.missing.contains($0) }) {
            throw .invalidArgument("code \(Variable.formatCode(c)) of \(variable) is user-missing and so outside a valid-answers base; use the all-in-domain denominator")
        }
        return y
    }

    /// The share of base `base` of a ``ShareComputation``; `domain` is the
    /// description of the domain that base stands for (nil: all respondents).
    /// - Throws: ``BarometerError/emptyDomain(_:)`` for an empty base, and the
    ///   errors of ``ProportionInterval/compute(_:_:level:)``.
    init(_ design: SurveyDesign, of variable: String, in codes: Set<Double>, among: String?, in amongCodes: [Double]?,
         domain: String?, denominator: Denominator, computed: ShareComputation, base j: Int,
         method: ProportionIntervalMethod, level: Double, warnings: [String] = []) throws(BarometerError) {
        try self.init(DesignFacts(design), of: variable, in: codes, among: among, in: amongCodes, domain: domain,
                      denominator: denominator, computed: computed, base: j, method: method, level: level, warnings: warnings)
    }

    /// What a share reads of its design beside the sums: the weight's name, how variances
    /// were computed, whether it has a population size (fpc) and replicate weights.
    struct DesignFacts: Sendable {
        let weight: String?, variance: String, hasPopulationSize: Bool, replicate: Bool
        init(weight: String?, variance: String, hasPopulationSize: Bool, replicate: Bool) {
            self.weight = weight; self.variance = variance
            self.hasPopulationSize = hasPopulationSize; self.replicate = replicate
        }
        init(_ design: SurveyDesign) {
            self.init(weight: design.weights.name, variance: design.varianceDescription,
                      hasPopulationSize: design.hasPopulationSize, replicate: design.replicates != nil)
        }
    }

    /// The share of base `base` of a ``ShareComputation`` (from rows or from a merged
    /// ``ShareAccumulator``): the one finalization of both paths.
    init(_ design: DesignFacts, of variable: String, in codes: Set<Double>, among: String?, in amongCodes: [Double]?,
         domain: String?, denominator: Denominator, computed: ShareComputation, base j: Int,
         method: ProportionIntervalMethod, level: Double, warnings: [String] = []) throws(BarometerError) {
        let tally = computed.tally
        let rule = denominator == .validAnswers ? "valid answers to \(variable)" : "all respondents"
        let baseText = domain.map { "\(rule) within \($0)" } ?? rule
        let base = TableBase(kind: domain == nil ? (denominator == .validAnswers ? .validAnswers : .allRespondents) : .domain,
                             description: baseText)
        let count = tally.counts[2 * j] + tally.counts[2 * j + 1]
        let W = tally.weighted[2 * j] + tally.weighted[2 * j + 1]
        guard count > 0, W > 0 else { throw .emptyDomain("\(baseText) has no respondents with positive weight") }
        let p = min(1, max(0, tally.weighted[2 * j] / W))
        let neff = tally.kishEffectiveSize(cells: [2 * j, 2 * j + 1])
        // Design-based variance of the domain ratio Σw·y·d / Σw·d through the
        // shared estimation engine (linearization over the design's strata and
        // PSUs, or its replicate weights).
        let v: Double
        switch computed.designVariance[j] {
        case .success(let x): v = x
        case .failure(let e): throw e
        }
        let df = computed.degreesOfFreedom[j]
        // Design effects of the full design (R svymean's deff, with and without replacement), checked.
        let deff = DesignEffects(variance: v, srs: computed.srsVariance[j], hasPopulationSize: design.hasPopulationSize)
        let input = ProportionInterval.Input(estimate: p, effectiveSize: neff, designVariance: v,
                                             degreesOfFreedom: Double(df), designRows: count,
                                             positiveWeightRows: computed.positiveWeightRows[j],
                                             logitVariance: computed.logitVariance[j],
                                             replicateDesign: design.replicate)
        self.variable = variable
        self.codes = codes.sorted()
        self.among = among
        self.amongCodes = amongCodes
        self.denominator = denominator
        self.base = base
        self.weight = design.weight
        self.numeratorCount = tally.counts[2 * j]
        self.numeratorWeighted = tally.weighted[2 * j]
        self.denominatorCount = count
        self.denominatorWeighted = W
        self.estimate = p
        self.standardError = (p * (1 - p) / neff).squareRoot()
        self.designStandardError = v.squareRoot()
        self.effectiveSize = neff
        self.weightingDesignEffect = Double(count) / neff
        self.designEffect = deff.withoutReplacement
        self.designEffectReplace = deff.withReplacement
        self.designEffectWithReplacement = deff.withReplacement
        self.designEffectWithoutReplacement = deff.withoutReplacement
        self.designEffectNote = deff.note
        self.warnings = warnings
        self.degreesOfFreedom = Double(df)
        self.intervalInput = input
        self.varianceDescription = design.variance
        self.interval = try ProportionInterval.compute(method, input, level: level)
    }

    /// The interval for the same estimate by another method or level.
    public func interval(_ method: ProportionIntervalMethod, level: Double = 0.95) throws(BarometerError) -> ProportionInterval {
        try ProportionInterval.compute(method, intervalInput, level: level)
    }

    /// "us in {1,2}".
    var selectionText: String {
        let ofText = "\(variable) in {\(codes.map(Variable.formatCode).joined(separator: ","))}"
        guard let among, let amongCodes else { return ofText }
        return "\(ofText) among \(among) in {\(amongCodes.map(Variable.formatCode).joined(separator: ","))}"
    }

    static let headers = ["Share", "n (num)", "n (base)", "Weighted num", "Weighted base", "Percent", "SE % (Kish)", "Design SE %",
                          "CI lower %", "CI upper %", "Kish n_eff", "Deff (weighting)", "Deff (design, w/ repl.)"]

    var cells: [String] {
        [selectionText, String(numeratorCount), String(denominatorCount), NumberFormat.fixed(numeratorWeighted, 1),
         NumberFormat.fixed(denominatorWeighted, 1), NumberFormat.fixed(100 * estimate, 1),
         NumberFormat.fixed(100 * standardError, 2), NumberFormat.fixed(100 * designStandardError, 2),
         NumberFormat.fixed(100 * interval.lower, 1),
         NumberFormat.fixed(100 * interval.upper, 1), NumberFormat.fixed(effectiveSize, 1),
         NumberFormat.fixed(weightingDesignEffect, 3), NumberFormat.fixed(designEffectWithReplacement, 3)]
    }

    var notes: [String] {
        [baseNote] + methodNotes + designEffectNotes(prefix: "") + warnings.map { "Warning: \($0)." }
    }

    /// Which design effect is shown, the other when it is meaningful, and why one is missing.
    func designEffectNotes(prefix: String) -> [String] {
        var n: [String] = []
        if let w = designEffectWithoutReplacement {
            n.append("\(prefix)Deff without replacement (from N̂ = Σw, R deff = TRUE): \(NumberFormat.fixed(w, 3)).")
        }
        if let note = designEffectNote { n.append("\(prefix)\(note).") }
        return n
    }

    var baseNote: String { "Base: \(base.description)." }

    /// Method, SE and weight notes shared with ``ShareTable``.
    var methodNotes: [String] { methodNotes(eachRow: false) }

    /// ``methodNotes`` for one share, or for a table whose rows each have their own df.
    func methodNotes(eachRow: Bool) -> [String] {
        let df = eachRow ? "each row's design df" : "\(NumberFormat.fixed(degreesOfFreedom, 0)) df"
        var n = ["\(NumberFormat.fixed(100 * interval.level, 1))% CI: \(interval.method.rawValue)"
                     + (interval.method.usesKishSize ? " on Kish n_eff." : " on the design SE with \(df).")
                     + " SE (Kish) = √(p(1−p)/n_eff), used by Wald/Wilson/Clopper-Pearson/Agresti-Coull;"
                     + " design SE (\(varianceDescription)) used by logit (the default, as R svyciprop), Korn-Graubard, mean, likelihood, asin, xlogit.",
                 DesignEffects.shareNote(hasPopulationSize: designEffectWithoutReplacement != nil)]
        n.append(weight.map { "Weight: \($0)." } ?? "Unweighted.")
        if let note = interval.note { n.append(note) }
        return n
    }

    public var textTable: TextTable {
        TextTable(title: "Share: \(selectionText)", headers: Self.headers, rows: [cells], notes: notes)
    }
}
