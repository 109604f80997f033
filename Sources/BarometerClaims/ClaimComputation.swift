import Barometer
/// How a claim's figure is recomputed from respondent-level data.
///
/// Kinds and their definitions (weights `wᵢ`; a domain keeps every row and
/// flags membership, Lumley 2010 §2.3):
/// - `marginal-share`, `collapsed-share`: `100 · Σ_{i∈D, yᵢ∈codes} wᵢ / Σ_{i∈D∩B} wᵢ`
///   where `D` is ``domain`` (everyone when absent) and the base `B` is every
///   respondent (``Base/all``, "Don't know"/"Refused"/system-missing in the
///   denominator) or the valid answers (``Base/valid``);
/// - `conditional-share`: the same within `D ∩ given`;
/// - `group-difference`: share in `groups[0]` minus share in `groups[1]`;
/// - `correlation`, `partial-correlation`: weighted Pearson (or the stated
///   ``method``) correlation of the two ``variables``, partial given
///   ``controls``; user- and system-missing excluded listwise;
/// - `multiple-response` over the columns ``variables``: percent of responses
///   (responses with ``codes`` over all responses with ``responseCodes``),
///   percent of cases (respondents naming any of ``codes`` over respondents
///   with a response), percent of a subset (denominator restricted to
///   ``subsetCodes``);
/// - `regression`: the coefficient ``coefficient`` of a design-based GLM
///   (`SurveyDesign/glm(_:options:domain:)`, R `svyglm`) of ``formula`` with
///   ``family`` and ``link`` (default gaussian, canonical link) within the
///   domain; binomial families count the response ``codes`` as success.
///   Rows are listwise complete on the model's variables (Don't know,
///   Refused and system-missing excluded); the 95% CI is
///   `β̂ ± t_{df}·SE` with the design-based (sandwich) SE and svyglm's df;
/// - `published-trend`, `published-only`: figures of another survey or a
///   qualitative study; nothing to recompute.
public struct ClaimComputation: Sendable, Codable, Equatable {
    /// The computation kinds.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Percent of the base (in the domain) answering one of ``ClaimComputation/codes``.
        case marginalShare = "marginal-share"
        /// A marginal share over several codes collapsed into one figure (e.g. "very" + "somewhat").
        case collapsedShare = "collapsed-share"
        /// A share among respondents meeting ``ClaimComputation/given``.
        case conditionalShare = "conditional-share"
        /// Share in `groups[0]` minus share in `groups[1]`, in percentage points.
        case groupDifference = "group-difference"
        /// Correlation of the two ``ClaimComputation/variables`` (``ClaimComputation/method``, default Pearson).
        case correlation
        /// Correlation of the two variables given ``ClaimComputation/controls`` (listwise).
        case partialCorrelation = "partial-correlation"
        /// A percentage over a multiple-response set (``ClaimComputation/measure``).
        case multipleResponse = "multiple-response"
        /// The coefficient of a design-based GLM (``ClaimComputation/formula``, family and link):
        /// its sign and 95% CI, as R `svyglm` + `confint`.
        case regression
        /// A figure of another survey or year, cited by the memo; nothing to recompute.
        case publishedTrend = "published-trend"
        /// A figure with no respondent-level data (e.g. a qualitative study); nothing to recompute.
        case publishedOnly = "published-only"

        /// Whether respondent-level data can recompute this kind.
        public var isRecomputable: Bool { self != .publishedTrend && self != .publishedOnly }
    }

    /// Base of a share.
    public enum Base: String, Sendable, Codable, CaseIterable {
        /// Every respondent in the domain, "Don't know"/"Refused" included.
        case all
        /// Valid answers only (user- and system-missing excluded).
        case valid
    }

    /// Multiple-response percentages.
    public enum Measure: String, Sendable, Codable, CaseIterable {
        /// Responses with ``ClaimComputation/codes`` over all responses with ``ClaimComputation/responseCodes``.
        case percentOfResponses = "percent-of-responses"
        /// Respondents naming any of the codes over respondents with a response.
        case percentOfCases = "percent-of-cases"
        /// As percent of cases, with the denominator restricted to ``ClaimComputation/subsetCodes``.
        case percentOfSubset = "percent-of-subset"
    }

    /// Correlation methods.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Pearson (weighted product-moment), Spearman (on weighted mid-ranks) or polychoric (latent bivariate normal).
        case pearson, spearman, polychoric
    }

    /// Deletion rules for correlations.
    public enum Deletion: String, Sendable, Codable, CaseIterable {
        /// `listwise`: rows complete on every variable; `pairwise`: rows complete on each pair.
        case listwise, pairwise
    }

    /// What is computed; decides which other fields are required.
    public var kind: Kind
    /// The variable whose codes are counted (shares, differences).
    public var variable: String?
    /// The codes counted (`regression` with a binomial family: the response
    /// codes counted as success, as `glm --success`).
    public var codes: [Double]?
    /// Base of a share (default ``Base/all``).
    public var base: Base?
    /// A subpopulation the claim refers to (e.g. one survey wave).
    public var domain: ClaimSelection?
    /// The condition of a conditional share.
    public var given: ClaimSelection?
    /// The two groups of a difference.
    public var groups: [ClaimSelection]?
    /// Correlated variables, or the columns of a multiple-response set.
    public var variables: [String]?
    /// Controls of a partial correlation.
    public var controls: [String]?
    /// Correlation method (default Pearson).
    public var method: Method?
    /// Deletion rule (default listwise).
    public var deletion: Deletion?
    /// Multiple-response measure.
    public var measure: Measure?
    /// Codes that count as responses (multiple response).
    public var responseCodes: [Double]?
    /// Codes of the subset that forms the denominator (percent-of-subset).
    public var subsetCodes: [Double]?
    /// Source of a published-trend or published-only figure.
    public var source: String?
    /// Year of a published-trend figure.
    public var year: Int?
    /// Model formula of a `regression` claim (`ModelFormula` syntax, e.g.
    /// `q_us_opinion ~ q_russia_opinion + q_leader_opinion`).
    public var formula: String?
    /// GLM family of a `regression` claim (default gaussian).
    public var family: GLMFamily?
    /// GLM link of a `regression` claim (default: the family's canonical link).
    public var link: GLMLink?
    /// The coefficient a `regression` claim is about, by R's column name
    /// (`q_russia_opinion`, `factor(q_russia_opinion)2`, `(Intercept)`).
    public var coefficient: String?

    /// Each parameter sets the property of the same name; which are required depends on `kind` (checked by `ClaimFile.validate()`).
    public init(kind: Kind, variable: String? = nil, codes: [Double]? = nil, base: Base? = nil,
                domain: ClaimSelection? = nil, given: ClaimSelection? = nil, groups: [ClaimSelection]? = nil,
                variables: [String]? = nil, controls: [String]? = nil, method: Method? = nil,
                deletion: Deletion? = nil, measure: Measure? = nil, responseCodes: [Double]? = nil,
                subsetCodes: [Double]? = nil, source: String? = nil, year: Int? = nil,
                formula: String? = nil, family: GLMFamily? = nil, link: GLMLink? = nil, coefficient: String? = nil) {
        self.kind = kind
        self.variable = variable
        self.codes = codes
        self.base = base
        self.domain = domain
        self.given = given
        self.groups = groups
        self.variables = variables
        self.controls = controls
        self.method = method
        self.deletion = deletion
        self.measure = measure
        self.responseCodes = responseCodes
        self.subsetCodes = subsetCodes
        self.source = source
        self.year = year
        self.formula = formula
        self.family = family
        self.link = link
        self.coefficient = coefficient
    }

    /// Every variable the computation reads.
    public var variablesUsed: [String] {
        var out: [String] = []
        if let variable { out.append(variable) }
        out += variables ?? []
        out += controls ?? []
        if let formula, let f = try? ModelFormula(parsing: formula) { out += f.variables }
        for s in [domain, given].compactMap({ $0 }) + (groups ?? []) { out.append(s.variable) }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    func validate(claim id: String) throws(BarometerError) {
        func need<T>(_ x: T?, _ field: String) throws(BarometerError) -> T {
            guard let x else { throw .invalidClaim(claim: id, field: "computation.\(field)", reason: "required for kind '\(kind.rawValue)'") }
            return x
        }
        func nonEmpty(_ xs: [Double]?, _ field: String) throws(BarometerError) {
            let v = try need(xs, field)
            guard !v.isEmpty, v.allSatisfy(\.isFinite) else {
                throw .invalidClaim(claim: id, field: "computation.\(field)", reason: "needs at least one finite code")
            }
        }
        try domain?.validate(claim: id, field: "computation.domain")
        switch kind {
        case .marginalShare, .collapsedShare:
            _ = try need(variable, "variable"); try nonEmpty(codes, "codes")
        case .conditionalShare:
            _ = try need(variable, "variable"); try nonEmpty(codes, "codes")
            try need(given, "given").validate(claim: id, field: "computation.given")
        case .groupDifference:
            _ = try need(variable, "variable"); try nonEmpty(codes, "codes")
            let g = try need(groups, "groups")
            guard g.count == 2 else { throw .invalidClaim(claim: id, field: "computation.groups", reason: "needs exactly two groups, found \(g.count)") }
            for (k, s) in g.enumerated() { try s.validate(claim: id, field: "computation.groups[\(k)]") }
        case .correlation, .partialCorrelation:
            let v = try need(variables, "variables")
            guard v.count == 2, v[0] != v[1] else {
                throw .invalidClaim(claim: id, field: "computation.variables", reason: "needs two distinct variables, found \(v.count)")
            }
            if kind == .partialCorrelation {
                let c = try need(controls, "controls")
                guard !c.isEmpty else { throw .invalidClaim(claim: id, field: "computation.controls", reason: "needs at least one control") }
                guard Set(c).isDisjoint(with: v) else {
                    throw .invalidClaim(claim: id, field: "computation.controls", reason: "a control is also a correlated variable")
                }
            }
        case .multipleResponse:
            let v = try need(variables, "variables")
            guard !v.isEmpty else { throw .invalidClaim(claim: id, field: "computation.variables", reason: "needs at least one column") }
            let m = try need(measure, "measure")
            try nonEmpty(codes, "codes"); try nonEmpty(responseCodes, "responseCodes")
            let responses = Set(responseCodes ?? [])
            guard Set(codes ?? []).isSubset(of: responses) else {
                throw .invalidClaim(claim: id, field: "computation.codes", reason: "every counted code must be among responseCodes")
            }
            if m == .percentOfSubset {
                try nonEmpty(subsetCodes, "subsetCodes")
                guard Set(codes ?? []).isSubset(of: Set(subsetCodes ?? [])) else {
                    throw .invalidClaim(claim: id, field: "computation.subsetCodes", reason: "the counted codes must lie in the subset")
                }
            }
        case .regression:
            let text = try need(formula, "formula")
            let f: ModelFormula
            do { f = try ModelFormula(parsing: text) } catch {
                throw .invalidClaim(claim: id, field: "computation.formula", reason: error.description)
            }
            let fam = family ?? .gaussian
            if let link, !fam.accepts(link) {
                throw .invalidClaim(claim: id, field: "computation.link",
                                    reason: "the \(fam.rawValue) family does not take the \(link.rawValue) link (binomial families: logit or probit; others: their canonical link)")
            }
            if codes != nil {
                guard fam.isBinomial else {
                    throw .invalidClaim(claim: id, field: "computation.codes",
                                        reason: "success codes apply to binomial families, not '\(fam.rawValue)'")
                }
                try nonEmpty(codes, "codes")
            }
            let c = try need(coefficient, "coefficient")
            guard f.canName(column: c) else {
                let names = (f.intercept ? ["(Intercept)"] : []) + f.terms.map(\.label)
                throw .invalidClaim(claim: id, field: "computation.coefficient",
                                    reason: "'\(c)' is not a coefficient of \(f) (terms: \(names.joined(separator: ", ")); a factor level is named like factor(x)2)")
            }
        case .publishedTrend, .publishedOnly:
            _ = try need(source, "source")
        }
    }

    /// R's column name `coef` of `formula` with its variables and level codes translated.
    static func mappedColumn(_ coef: String, formula f: ModelFormula, mapping m: ClaimMapping,
                             code: (String, Double) -> Double) -> String {
        guard coef != "(Intercept)" else { return coef }
        for t in f.terms where ModelFormula(response: f.response, terms: [t], intercept: false).canName(column: coef) {
            var rest = Substring(coef), out: [String] = []
            for (k, p) in t.predictors.enumerated() {
                if k > 0 { rest = rest.dropFirst() }
                let head = p.isFactor ? "factor(\(p.variable))" : p.variable
                rest = rest.dropFirst(head.count)
                let name = m.name(for: p.variable)
                if p.isFactor {
                    let text = rest.prefix { $0.isNumber || $0 == "-" || $0 == "." || $0 == "e" || $0 == "+" }
                    rest = rest.dropFirst(text.count)
                    out.append("factor(\(name))" + (Double(text).map { Variable.formatCode(code(p.variable, $0)) } ?? String(text)))
                } else {
                    out.append(name)
                }
            }
            return out.joined(separator: ":")
        }
        return coef
    }

    func mapped(by m: ClaimMapping) -> ClaimComputation {
        var c = self
        if let v = variable {
            c.variable = m.name(for: v)
            if let codes { c.codes = m.codes(for: v, codes) }
        }
        if kind == .multipleResponse, let cols = variables, let first = cols.first {
            // The columns of one multiple-response set share their codes.
            c.variables = cols.map(m.name(for:))
            if let codes { c.codes = m.codes(for: first, codes) }
            if let r = responseCodes { c.responseCodes = m.codes(for: first, r) }
            if let s = subsetCodes { c.subsetCodes = m.codes(for: first, s) }
        } else {
            c.variables = variables?.map(m.name(for:))
        }
        c.controls = controls?.map(m.name(for:))
        c.domain = domain?.mapped(by: m)
        c.given = given?.mapped(by: m)
        c.groups = groups?.map { $0.mapped(by: m) }
        if kind == .regression, let text = formula, let f = try? ModelFormula(parsing: text) {
            // One code for one code: a reference or level code that maps to several stays as it is.
            func code(_ v: String, _ x: Double) -> Double {
                let to = m.codes(for: v, [x])
                return to.count == 1 ? to[0] : x
            }
            c.formula = f.renamed(m.name(for:), code: code).description
            if let codes { c.codes = m.codes(for: f.response, codes) }
            if let coef = coefficient { c.coefficient = Self.mappedColumn(coef, formula: f, mapping: m, code: code) }
        }
        return c
    }
}
