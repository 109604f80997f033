import Barometer
/// Recomputes a memo's claims on a survey design and decides each verdict.
///
/// For each claim the engine registered for its computation kind
/// (``ClaimEngine``) produces a ``ClaimEstimate``; the claim's rule decides:
/// - `rounding-interval`: pass when the estimate lies in the published
///   figure's interval as stated (``FigureInterval/strictlyContains(_:)``,
///   e.g. `[38.5, 39.5)` for 39%);
/// - `confidence-interval`: pass when the estimate's 95% CI meets that interval;
/// - `sign`: pass when the estimate is > 0 (positive) or < 0 (negative);
/// - `sign-ci`: pass when, in addition, the whole 95% CI lies on that side
///   of zero (lower end > 0, or upper end < 0);
/// - `difference`: pass when the 95% CI excludes 0 (and lies on the side of
///   `expectedSign` when given);
/// - `equivalence`: pass when the 90% CI `d ± t_{df, 0.95}·SE` lies inside
///   (−margin, +margin), i.e. both one-sided t tests reject at 5%
///   (Schuirmann's TOST; p = max(P(T ≥ (d + δ)/SE), P(T ≤ (d − δ)/SE)));
/// - `not-recomputable`: status ``ClaimEvaluation/Status/notRecomputable``.
/// A kind with no registered engine gets
/// ``ClaimEvaluation/Status/notYetComputable`` (naming the engine it waits
/// for), never a pass; an error on the data gets ``ClaimEvaluation/Status/error``.
public struct ClaimEvaluator: Sendable {
    /// The design claims are recomputed on.
    public let design: SurveyDesign
    /// Engines by the kinds they handle.
    public let engines: [any ClaimEngine]

    /// Engines available in this build: shares, conditional shares,
    /// multiple response, correlations and partial correlations, regression
    /// coefficients, group differences.
    public static var defaultEngines: [any ClaimEngine] {
        [ShareClaimEngine(), ConditionalShareClaimEngine(), MultipleResponseClaimEngine(), CorrelationClaimEngine(),
         RegressionClaimEngine(), GroupDifferenceClaimEngine()]
    }

    /// An evaluator on `design` with `engines` (later engines win for a kind
    /// that several handle).
    public init(design: SurveyDesign, engines: [any ClaimEngine] = ClaimEvaluator.defaultEngines) {
        self.design = design
        self.engines = engines
    }

    /// The engine that will compute `kind`, if any.
    public func engine(for kind: ClaimComputation.Kind) -> (any ClaimEngine)? {
        engines.last { $0.kinds.contains(kind) }
    }

    /// Which engine a kind waits for when none is registered.
    static func pendingEngine(_ kind: ClaimComputation.Kind) -> String {
        switch kind {
        case .conditionalShare, .groupDifference: return "the cross-tab engine (branch xtab)"
        case .multipleResponse: return "the multiple-response tables of the cross-tab engine (branch xtab)"
        case .correlation, .partialCorrelation: return "the correlation engine (branch corr)"
        case .regression: return "the design-based GLM (RegressionClaimEngine)"
        default: return "an engine for '\(kind.rawValue)'"
        }
    }

    /// Evaluates one claim.
    public func evaluate(_ claim: Claim) -> ClaimEvaluation {
        let published: String
        if let f = claim.figure { published = f.display } else {
            published = claim.expectedSign.map { "\($0.rawValue) (sign\(claim.verdict == .signCI ? " and 95% CI" : ""))" } ?? ""
        }
        let interval = claim.figure?.interval
        func make(_ est: ClaimEstimate?, _ status: ClaimEvaluation.Status, _ detail: String) -> ClaimEvaluation {
            ClaimEvaluation(id: claim.id, statement: claim.statement, published: published, publishedInterval: interval,
                            rule: claim.verdict, estimate: est, status: status, detail: detail)
        }
        if claim.verdict == .notRecomputable || !claim.computation.kind.isRecomputable {
            let source = claim.computation.source.map { " (\($0)\(claim.computation.year.map { " \($0)" } ?? ""))" } ?? ""
            return make(nil, .notRecomputable, "published figure\(source); checked for internal consistency only")
        }
        guard let engine = engine(for: claim.computation.kind) else {
            return make(nil, .notYetComputable, "'\(claim.computation.kind.rawValue)' waits for \(Self.pendingEngine(claim.computation.kind))")
        }
        let est: ClaimEstimate
        do { est = try engine.estimate(claim.computation, in: design) } catch {
            return make(nil, .error, error.description)
        }
        switch claim.verdict {
        case .roundingInterval:
            guard let iv = interval else { return make(est, .error, "no published figure") }
            let ok = iv.strictlyContains(est.value)
            return make(est, ok ? .pass : .fail,
                        "\(NumberFormat.fixed(est.value, 2)) \(ok ? "in" : "outside") \(iv)")
        case .confidenceInterval:
            guard let iv = interval else { return make(est, .error, "no published figure") }
            guard let ci = est.confidenceInterval else {
                return make(est, .notYetComputable, "\(engine.name) gives no confidence interval")
            }
            let ok = ci.intersection(iv) != nil
            return make(est, ok ? .pass : .fail, "95% CI \(ci) \(ok ? "meets" : "misses") \(iv)")
        case .sign:
            let positive = claim.expectedSign != .negative
            let ok = positive ? est.value > 0 : est.value < 0
            return make(est, ok ? .pass : .fail, "estimate \(NumberFormat.fixed(est.value, 4)), expected \(positive ? "> 0" : "< 0")")
        case .signCI:
            guard let ci = est.confidenceInterval else {
                return make(est, .notYetComputable, "\(engine.name) gives no confidence interval")
            }
            let positive = claim.expectedSign != .negative
            let ok = positive ? est.value > 0 && ci.lower > 0 : est.value < 0 && ci.upper < 0
            return make(est, ok ? .pass : .fail,
                        "estimate \(NumberFormat.fixed(est.value, 4)), 95% CI \(ci), expected \(positive ? "> 0 with the CI above 0" : "< 0 with the CI below 0")")
        case .difference:
            guard let ci = est.confidenceInterval else { return make(est, .notYetComputable, "\(engine.name) gives no confidence interval") }
            let excludes = ci.lower > 0 || ci.upper < 0
            let side = claim.expectedSign.map { $0 == .positive ? est.value > 0 : est.value < 0 } ?? true
            let p = est.pValue.map { ", p = \(GroupDifferences.formatP($0))" } ?? ""
            return make(est, excludes && side ? .pass : .fail,
                        "difference \(NumberFormat.fixed(est.value, 2)), 95% CI \(ci) \(excludes ? "excludes" : "includes") 0\(p)"
                            + (claim.expectedSign.map { side ? "" : "; expected \($0.rawValue)" } ?? ""))
        case .equivalence:
            guard let margin = claim.margin, let se = est.standardError, let df = est.degreesOfFreedom, df >= 1 else {
                return make(est, .error, "equivalence needs a margin, and an estimate with SE and degrees of freedom")
            }
            let dist = StudentT(degreesOfFreedom: Double(df))
            let q = dist.quantile(0.95)
            let lower = est.value - q * se, upper = est.value + q * se
            let ok = lower > -margin && upper < margin
            let p = se > 0 ? max(dist.sf((est.value + margin) / se), dist.cdf((est.value - margin) / se)) : (ok ? 0 : 1)
            return make(est, ok ? .pass : .fail,
                        "difference \(NumberFormat.fixed(est.value, 2)), 90% CI [\(NumberFormat.fixed(lower, 2)), \(NumberFormat.fixed(upper, 2))] "
                            + "\(ok ? "inside" : "not inside") ±\(NumberFormat.fixed(margin, 2)) (TOST p = \(GroupDifferences.formatP(p)))")
        case .notRecomputable:
            return make(nil, .notRecomputable, "checked for internal consistency only")
        }
    }

    /// Evaluates every claim of `file` (after validating it).
    /// - Throws: `BarometerError/invalidClaim(claim:field:reason:)`.
    public func evaluate(_ file: ClaimFile) throws(BarometerError) -> ClaimEvaluationReport {
        try file.validate()
        return ClaimEvaluationReport(memo: file.memo.id, title: file.memo.title, weight: design.weights.name,
                                     respondents: design.rowCount, evaluations: file.claims.map(evaluate))
    }
}
