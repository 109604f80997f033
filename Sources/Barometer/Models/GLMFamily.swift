#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Error distribution and link of a generalized linear model, as R's
/// `family` objects (`gaussian()`, `binomial()`, `poisson()`,
/// `quasibinomial()`, `quasipoisson()`): variance function, link, the
/// derivative dμ/dη, deviance residuals and IRLS start values follow R's
/// definitions (including the clamping of `plogis`/`pnorm` near 0 and 1).
public enum GLMFamily: String, Sendable, Codable, CaseIterable {
    /// Normal errors, V(μ) = 1, canonical link identity (R `gaussian()`).
    case gaussian
    /// Binomial, V(μ) = μ(1 − μ) on a 0/1 response, dispersion 1, canonical link logit (R `binomial()`).
    case binomial
    /// Poisson counts, V(μ) = μ, dispersion 1, canonical link log (R `poisson()`).
    case poisson
    /// Binomial variance with an estimated dispersion, no AIC (R `quasibinomial()`).
    case quasibinomial
    /// Poisson variance with an estimated dispersion, no AIC (R `quasipoisson()`).
    case quasipoisson

    /// The canonical link (R's default).
    public var canonicalLink: GLMLink {
        switch self {
        case .gaussian: return .identity
        case .binomial, .quasibinomial: return .logit
        case .poisson, .quasipoisson: return .log
        }
    }

    /// Whether ``SurveyDesign/glm(_:options:domain:)`` fits this family with
    /// `link`: its canonical link, and probit for the binomial families.
    public func accepts(_ link: GLMLink) -> Bool {
        link == canonicalLink || (isBinomial && link == .probit)
    }

    /// Whether the family is binomial-type (response in [0, 1]).
    public var isBinomial: Bool { self == .binomial || self == .quasibinomial }
    /// Whether the family is Poisson-type (response ≥ 0).
    public var isPoisson: Bool { self == .poisson || self == .quasipoisson }

    /// V(μ).
    func variance(_ mu: Double) -> Double {
        switch self {
        case .gaussian: return 1
        case .binomial, .quasibinomial: return mu * (1 - mu)
        case .poisson, .quasipoisson: return mu
        }
    }

    /// Unit deviance times the prior weight (R `dev.resids`).
    func deviance(_ y: Double, _ mu: Double, _ w: Double) -> Double {
        func ylogy(_ a: Double, _ b: Double) -> Double { a > 0 ? a * log(a / b) : 0 }
        switch self {
        case .gaussian: return w * (y - mu) * (y - mu)
        case .binomial, .quasibinomial: return 2 * w * (ylogy(y, mu) + ylogy(1 - y, 1 - mu))
        case .poisson, .quasipoisson: return y > 0 ? 2 * w * (y * log(y / mu) - (y - mu)) : 2 * w * mu
        }
    }

    /// R's `mustart` for prior weights `w`.
    func start(_ y: Double, _ w: Double) -> Double {
        switch self {
        case .gaussian: return y
        case .binomial, .quasibinomial: return (w * y + 0.5) / (w + 1)
        case .poisson, .quasipoisson: return y + 0.1
        }
    }

    /// Whether `y` is a valid response value.
    func validResponse(_ y: Double) -> Bool {
        switch self {
        case .gaussian: return y.isFinite
        case .binomial, .quasibinomial: return y >= 0 && y <= 1
        case .poisson, .quasipoisson: return y >= 0 && y.isFinite
        }
    }

    /// Whether the dispersion is fixed at 1 (binomial, Poisson) so R reports an AIC.
    var hasLikelihood: Bool { self == .gaussian || self == .binomial || self == .poisson }
}

/// Link function g(μ) = η.
public enum GLMLink: String, Sendable, Codable, CaseIterable {
    /// η = μ.
    case identity
    /// η = log(μ/(1 − μ)); coefficients are log odds ratios.
    case logit
    /// η = Φ⁻¹(μ), the standard normal quantile.
    case probit
    /// η = log μ; coefficients are log rate ratios.
    case log

    private static let eps = Double.ulpOfOne
    /// R's probit threshold −qnorm(ε).
    private static let probitThreshold = -Normal.quantile(Double.ulpOfOne)

    func link(_ mu: Double) -> Double {
        switch self {
        case .identity: return mu
        case .logit: return naturalLog(mu / (1 - mu))
        case .probit: return Normal.quantile(mu)
        case .log: return naturalLog(mu)
        }
    }

    func inverse(_ eta: Double) -> Double {
        switch self {
        case .identity: return eta
        case .logit:
            // R's C logit_linkinv: clamp at ±30 to [ε, 1 − ε].
            if eta < -30 { return Self.eps }
            if eta > 30 { return 1 - Self.eps }
            return 1 / (1 + exp(-eta))
        case .probit:
            let e = min(max(eta, -Self.probitThreshold), Self.probitThreshold)
            return Normal.cdf(e)
        case .log: return max(exp(eta), Self.eps)
        }
    }

    /// μ and dμ/dη at η together, with one `exp` for the logit and log links
    /// (logit: t = e^(−η), μ = 1/(1 + t), dμ/dη = t/(1 + t)², the same
    /// clamping as ``inverse(_:)`` and ``derivative(_:)``).
    func inverseAndDerivative(_ eta: Double) -> (mu: Double, derivative: Double) {
        switch self {
        case .logit:
            if eta < -30 { return (Self.eps, Self.eps) }
            if eta > 30 { return (1 - Self.eps, Self.eps) }
            let t = exp(-eta), opt = 1 + t
            return (1 / opt, t / (opt * opt))
        case .log:
            let e = max(exp(eta), Self.eps)
            return (e, e)
        case .identity, .probit:
            return (inverse(eta), derivative(eta))
        }
    }

    /// dμ/dη.
    func derivative(_ eta: Double) -> Double {
        switch self {
        case .identity: return 1
        case .logit:
            let e = exp(eta), opexp = 1 + e
            return (eta > 30 || eta < -30) ? Self.eps : e / (opexp * opexp)
        case .probit: return max(Normal.pdf(eta), Self.eps)
        case .log: return max(exp(eta), Self.eps)
        }
    }
}

/// The C library's `log`, reachable inside ``GLMLink`` (whose case `log` shadows it).
private func naturalLog(_ x: Double) -> Double { log(x) }
