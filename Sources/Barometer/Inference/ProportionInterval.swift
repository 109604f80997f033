#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a confidence interval for a proportion is formed.
public enum ProportionIntervalMethod: String, Sendable, Codable, CaseIterable {
    /// Wald: `p ± z·√(p(1−p)/n)`, clipped to [0, 1] (statsmodels `normal`).
    case wald
    /// Wilson score interval (statsmodels `wilson`), clipped to [0, 1].
    case wilson
    /// Clopper-Pearson "exact" interval from beta quantiles (statsmodels `beta`).
    case clopperPearson = "clopper-pearson"
    /// Agresti-Coull: Wald on `ñ = n + z²`, `p̃ = (x + z²/2)/ñ` (statsmodels `agresti_coull`), clipped.
    case agrestiCoull = "agresti-coull"
    /// Wald on the logit scale with the design-based variance and t quantile
    /// (R `survey::svyciprop(method = "logit")`).
    case logit
    /// Korn & Graubard (1998): Clopper-Pearson on the design effective size
    /// `p(1−p)/var(p)`, df-adjusted (R `svyciprop(method = "beta")`).
    case kornGraubard = "korn-graubard"
    /// `p ± t_{df}·√v` on the design SE, not clipped (R `svyciprop(method = "mean")`).
    case mean
    /// Profile likelihood of the logit, scaled by the design effect
    /// (R `svyciprop(method = "likelihood")`).
    case likelihood
    /// `sin²(asin√p ± t_{df}·√v/(2√(p(1−p))))` (R `svyciprop(method = "asin")`).
    case asin
    /// Logit Wald interval with the delta-method variance `v/(p(1−p))²`
    /// (R `svyciprop(method = "xlogit")`; equals ``logit`` under linearization).
    case xlogit

    /// The default everywhere (``ConditionalShare``, ``ShareTable``, `barometer
    /// share`, `verify`): logit on the design SE with the design's degrees of
    /// freedom, as R `svyciprop` and Python `svy` default to.
    public static let standard: ProportionIntervalMethod = .logit

    /// Whether the method uses the Kish effective size (SRS formulas on
    /// `(p, n_eff)`) rather than the design variance and df.
    public var usesKishSize: Bool {
        switch self {
        case .wald, .wilson, .clopperPearson, .agrestiCoull: return true
        case .logit, .kornGraubard, .mean, .likelihood, .asin, .xlogit: return false
        }
    }
}

/// A confidence interval for a proportion, with the method that made it
/// and a flag for a degenerate (zero-width or undefined) interval.
///
/// Formulas (α = 1 − level, z = Φ⁻¹(1 − α/2), `n` the Kish effective size,
/// `x = p·n`; Wald, Wilson, Clopper-Pearson and Agresti-Coull accept a
/// non-integer `n` and `x`, exactly as statsmodels `proportion_confint`
/// does when given them):
/// - Wald `p ± z√(p(1−p)/n)`;
/// - Wilson `(p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n)`;
/// - Clopper-Pearson `[B⁻¹(α/2; x, n−x+1), B⁻¹(1−α/2; x+1, n−x)]`, 0 at p = 0, 1 at p = 1;
/// - Agresti-Coull `p̃ ± z√(p̃(1−p̃)/ñ)`, `ñ = n + z²`, `p̃ = (x + z²/2)/ñ`;
/// - logit `expit(logit p ± t_{df, 1−α/2} · √v / (p(1−p)))` with `v` the
///   design-based variance of p and `df` the design degrees of freedom;
/// - Korn-Graubard: `n* = p(1−p)/v · (t_{N−1, α/2} / t_{df, α/2})²` with `N`
///   the respondents in the base (R `nrow()` of the subset design; the factor
///   is 1 unless the base holds zero weights), then Clopper-Pearson on `(p, n*)` with
///   non-integer beta parameters. When `v = 0` (p = 0 or 1, or all weight
///   on one respondent) R returns NaN; Barometer follows Korn & Graubard's
///   recommendation and uses the Kish effective size in place of
///   `p(1−p)/v` (still df-adjusted), so p = 0 and p = 1 get one-sided
///   intervals `[0, ·]` and `[·, 1]`;
/// - mean `p ± t_{df}·√v` (not clipped: R does not clip);
/// - asin `sin²(asin√p ± t_{df}·√v / (2√(p(1−p))))` (delta method, as R's
///   `svycontrast(asin(sqrt(p)))`);
/// - xlogit `expit(logit p ± t_{df}·√v/(p(1−p)))`: the delta method. R's
///   `logit` fits `svyglm(y ~ 1, family = quasibinomial)`, whose variance is
///   the same under linearization but, on a replicate design, the replicate
///   variance of the replicate logits (``Input/logitVariance``);
/// - likelihood: the points μ on each side of p where the signed root of the
///   deviance of the intercept-only quasi-binomial logit model (weights scaled
///   to mean 1 over the n rows of the base), divided by R's dispersion (the
///   design variance of the Pearson residuals, `n₊/(n₊ − 1)` with n₊ the rows
///   of positive weight), `z(μ)² = 2n(n₊ − 1)/n₊ · [p ln(p/μ) + (1−p) ln((1−p)/(1−μ))]`,
///   reaches `t_{df, α/2}·√λ`, with `λ = n·V_logit·p(1−p)` the design-to-naive
///   variance ratio of the logit (R `confint.svyglm(method = "likelihood")`);
///   so `2(n₊ − 1)/n₊ · KL(p‖μ) = t²·V_logit·p(1−p)`. R traces that curve at
///   ten steps of a fit converged to 1e-8 and interpolates a spline through
///   them; Barometer solves for the root (bisection to machine precision), so
///   it agrees with svyciprop to the spline's accuracy (about 1e-5) and with
///   the root of R's own fully converged profile to 1e-10. R returns NA on a
///   replicate design, and so this method is an error there.
///
/// Wilson's lower bound at p = 0 is exactly 0 (upper at p = 1 exactly 1).
/// Wald, Wilson and Agresti-Coull are clipped to [0, 1] (as statsmodels
/// does; ``clipped`` says when). At p = 0 or 1 Wald collapses to a point
/// and logit is undefined: both are returned as `[p, p]` with
/// ``degenerate`` set and a ``note`` — never silently.
///
/// Accuracy: closed forms to a few ulps; beta and t quantiles as
/// documented in `Distributions.swift`.
public struct ProportionInterval: Sendable, Codable, Equatable {
    /// The method.
    public let method: ProportionIntervalMethod
    /// Confidence level in (0, 1).
    public let level: Double
    /// Lower bound.
    public let lower: Double
    /// Upper bound.
    public let upper: Double
    /// Whether the interval is zero-width or undefined for this estimate.
    public let degenerate: Bool
    /// Whether a bound was clipped to [0, 1].
    public let clipped: Bool
    /// Why the interval is degenerate or how an edge case was handled.
    public let note: String?

    /// What an interval needs to know about an estimate.
    public struct Input: Sendable, Equatable, Codable {
        /// The proportion p in [0, 1].
        public var estimate: Double
        /// Kish effective size of the denominator, `(Σw)²/Σw²` (n when unweighted).
        public var effectiveSize: Double
        /// Design-based (linearization, with-replacement) variance of p.
        public var designVariance: Double
        /// Design degrees of freedom (respondents in the base − 1 for a weights-only design).
        public var degreesOfFreedom: Double
        /// Rows of the design the share is computed on (R `nrow(subset(design, base))`:
        /// the respondents in the base), for the Korn-Graubard df factor.
        public var designRows: Int
        /// Rows of the base with positive weight (the quasi-binomial fit's
        /// residual df + 1), for the likelihood interval.
        public var positiveWeightRows: Int
        /// Design variance of logit(p) when it is not the delta method's
        /// `v/(p(1−p))²`: the replicate variance of the replicate logits (R
        /// `svyglm` on a replicate design). Nil under linearization.
        public var logitVariance: Double?
        /// Whether the variance comes from replicate weights.
        public var replicateDesign: Bool

        /// Each parameter sets the property of the same name; `positiveWeightRows` defaults to `designRows`.
        public init(estimate: Double, effectiveSize: Double, designVariance: Double,
                    degreesOfFreedom: Double, designRows: Int, positiveWeightRows: Int? = nil,
                    logitVariance: Double? = nil, replicateDesign: Bool = false) {
            self.estimate = estimate
            self.effectiveSize = effectiveSize
            self.designVariance = designVariance
            self.degreesOfFreedom = degreesOfFreedom
            self.designRows = designRows
            self.positiveWeightRows = positiveWeightRows ?? designRows
            self.logitVariance = logitVariance
            self.replicateDesign = replicateDesign
        }

        /// Design variance of logit(p): ``logitVariance`` or the delta method.
        var logitScaleVariance: Double {
            logitVariance ?? designVariance / (estimate * (1 - estimate) * estimate * (1 - estimate))
        }
    }

    /// An interval as computed elsewhere (or decoded); each parameter sets the property of the same name.
    public init(method: ProportionIntervalMethod, level: Double, lower: Double, upper: Double,
                degenerate: Bool = false, clipped: Bool = false, note: String? = nil) {
        self.method = method
        self.level = level
        self.lower = lower
        self.upper = upper
        self.degenerate = degenerate
        self.clipped = clipped
        self.note = note
    }

    /// The interval for `input` by `method` at `level`.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for a level outside
    ///   (0, 1) or an estimate outside [0, 1]; ``BarometerError/noConvergence(_:)``
    ///   if a quantile fails (a bound is not finite);
    ///   ``BarometerError/insufficientData(_:)`` when the effective size is
    ///   not positive or (logit, Korn-Graubard) the design has no degrees
    ///   of freedom.
    public static func compute(_ method: ProportionIntervalMethod, _ input: Input,
                               level: Double = 0.95) throws(BarometerError) -> ProportionInterval {
        let interval = try bounds(method, input, level: level)
        // A failed quantile must never be clipped into [0, 1] unnoticed.
        guard interval.lower.isFinite, interval.upper.isFinite else {
            throw .noConvergence("\(method.rawValue) interval bound is not finite (p = \(input.estimate), n = \(input.effectiveSize))")
        }
        return interval
    }

    static func bounds(_ method: ProportionIntervalMethod, _ input: Input,
                       level: Double) throws(BarometerError) -> ProportionInterval {
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) must be in (0, 1)") }
        let p = input.estimate, n = input.effectiveSize
        guard p >= 0, p <= 1 else { throw .invalidArgument("proportion \(p) outside [0, 1]") }
        guard n > 0, n.isFinite else { throw .insufficientData("effective sample size \(n) is not positive") }
        let alpha = 1 - level
        let z = Normal.quantile(1 - alpha / 2)
        let x = p * n
        func clip(_ lo: Double, _ hi: Double, degenerate: Bool = false, note: String? = nil) -> ProportionInterval {
            if lo.isNaN || hi.isNaN {
                return ProportionInterval(method: method, level: level, lower: lo, upper: hi)
            }
            let cl = max(0, lo), cu = min(1, hi)
            return ProportionInterval(method: method, level: level, lower: cl, upper: cu,
                                      degenerate: degenerate, clipped: cl != lo || cu != hi, note: note)
        }
        switch method {
        case .wald:
            let d = z * (p * (1 - p) / n).squareRoot()
            if p == 0 || p == 1 {
                return clip(p - d, p + d, degenerate: true,
                            note: "Wald interval is degenerate at p = \(p == 0 ? 0 : 1); use Wilson, Clopper-Pearson or Korn-Graubard")
            }
            return clip(p - d, p + d)
        case .wilson:
            let z2 = z * z
            let denom = 1 + z2 / n
            let center = (p + z2 / (2 * n)) / denom
            let d = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denom
            // At p = 0 (p = 1) the lower (upper) bound is exactly 0 (1); avoid a rounding residue.
            return clip(p == 0 ? 0 : center - d, p == 1 ? 1 : center + d)
        case .agrestiCoull:
            let z2 = z * z
            let nc = n + z2
            let pc = (x + z2 / 2) / nc
            let d = z * (pc * (1 - pc) / nc).squareRoot()
            return clip(pc - d, pc + d)
        case .clopperPearson:
            let (lo, hi) = betaBounds(p: p, n: n, alpha: alpha)
            return ProportionInterval(method: method, level: level, lower: lo, upper: hi)
        case .logit, .xlogit, .likelihood, .asin, .mean:
            let df = input.degreesOfFreedom
            guard df > 0 else { throw .insufficientData("\(method.rawValue) interval needs at least 2 respondents in the base (df = \(df))") }
            let t = StudentT(degreesOfFreedom: df).quantile(1 - alpha / 2)
            let v = input.designVariance
            if method == .mean {
                let d = t * max(v, 0).squareRoot()
                let outside = p - d < 0 || p + d > 1
                return ProportionInterval(method: method, level: level, lower: p - d, upper: p + d,
                                          degenerate: !(v > 0),
                                          note: !(v > 0) ? "mean interval has zero width: the design variance is 0"
                                              : outside ? "the mean interval reaches outside [0, 1] (not clipped, as R svyciprop)" : nil)
            }
            if p == 0 || p == 1 || !(v > 0) {
                return ProportionInterval(method: method, level: level, lower: p, upper: p, degenerate: true,
                                          note: "\(method.rawValue) interval is undefined when p = 0, p = 1 or the variance is 0; use Wilson, Clopper-Pearson or Korn-Graubard")
            }
            switch method {
            case .asin:
                let c = asin(p.squareRoot()), se = v.squareRoot() / (2 * (p * (1 - p)).squareRoot())
                let lo = sin(c - t * se), hi = sin(c + t * se)
                let folded = c - t * se < 0 || c + t * se > Double.pi / 2
                return ProportionInterval(method: method, level: level, lower: lo * lo, upper: hi * hi,
                                          note: folded ? "the asin interval passes 0 or π/2 on the angle scale and is folded back by sin², as R svyciprop computes it" : nil)
            case .likelihood:
                return try likelihoodBounds(input, t: t, level: level)
            default:
                let eta = log(p / (1 - p))
                let se = (method == .xlogit ? v / (p * (1 - p) * p * (1 - p)) : input.logitScaleVariance).squareRoot()
                return ProportionInterval(method: method, level: level,
                                          lower: expit(eta - t * se), upper: expit(eta + t * se))
            }
        case .kornGraubard:
            let df = input.degreesOfFreedom
            guard df > 0, input.designRows > 1 else {
                throw .insufficientData("Korn-Graubard interval needs at least 2 respondents in the base (df = \(df))")
            }
            var note: String? = nil
            var nStar: Double
            if input.designVariance > 0 && p > 0 && p < 1 {
                nStar = p * (1 - p) / input.designVariance
            } else {
                nStar = n
                note = "design variance is 0 (p = \(Variable.formatCode(p))); Kish effective size used as the effective size"
            }
            let ratio = StudentT(degreesOfFreedom: Double(input.designRows - 1)).quantile(alpha / 2)
                / StudentT(degreesOfFreedom: df).quantile(alpha / 2)
            nStar *= ratio * ratio
            let (lo, hi) = betaBounds(p: p, n: nStar, alpha: alpha)
            return ProportionInterval(method: method, level: level, lower: lo, upper: hi, note: note)
        }
    }

    /// The profile-likelihood bounds (see the type's documentation): the
    /// roots of `2(n₊ − 1)/n₊ · KL(p‖μ) = t²·V_logit·p(1−p)` below and above
    /// p, found by bisection in μ (KL is monotone on each side).
    static func likelihoodBounds(_ input: Input, t: Double, level: Double) throws(BarometerError) -> ProportionInterval {
        guard !input.replicateDesign else {
            throw .invalidArgument("the likelihood interval is not defined on a replicate design (R svyciprop returns NA); use logit")
        }
        let p = input.estimate
        let positive = Double(input.positiveWeightRows)
        guard positive > 1 else { throw .insufficientData("likelihood interval needs at least 2 respondents with positive weight in the base") }
        let target = t * t * input.logitScaleVariance * p * (1 - p) * positive / (2 * (positive - 1))
        func kl(_ mu: Double) -> Double {
            p * log(p / mu) + (1 - p) * log((1 - p) / (1 - mu))
        }
        func root(_ a: Double, _ b: Double) -> Double {
            // kl(a) ≥ target > kl(b) or the reverse; bisect until the bracket stops shrinking.
            var lo = a, hi = b
            let fa = kl(lo) - target
            for _ in 0..<200 {
                let mid = 0.5 * (lo + hi)
                if mid == lo || mid == hi { break }
                if (kl(mid) - target).sign == fa.sign { lo = mid } else { hi = mid }
            }
            return 0.5 * (lo + hi)
        }
        let lower = root(Double.leastNormalMagnitude, p)
        let upper = root(1 - Double.ulpOfOne / 2, p)
        return ProportionInterval(method: .likelihood, level: level, lower: lower, upper: upper)
    }

    /// Clopper-Pearson bounds with (possibly non-integer) `x = p·n`.
    static func betaBounds(p: Double, n: Double, alpha: Double) -> (Double, Double) {
        let x = p * n
        let lo = p == 0 ? 0 : BetaDistribution(a: x, b: n - x + 1).quantile(alpha / 2)
        let hi = p == 1 ? 1 : BetaDistribution(a: x + 1, b: n - x).quantile(1 - alpha / 2)
        return (lo, hi)
    }

    static func expit(_ e: Double) -> Double { 1 / (1 + exp(-e)) }

    /// Width `upper − lower`.
    public var width: Double { upper - lower }
}
