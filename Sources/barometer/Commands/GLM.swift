import ArgumentParser
import Barometer

extension GLMFamily: ExpressibleByArgument {}
extension GLMLink: ExpressibleByArgument {}

/// Parses a comma-separated list of numeric codes (`1,2`) for an option.
func parseCodes(_ text: String, option: String) throws -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    return try parts.map { p in
        guard let x = Double(p), x.isFinite else { throw ValidationError("\(option): '\(p)' is not a number") }
        return x
    }
}

/// `barometer glm`: design-based generalized linear model (R svyglm).
struct GLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glm",
        abstract: "Design-based GLM (R svyglm): coefficients, design SEs, t tests, CIs, odds ratios, Wald F per term.",
        discussion: """
            FORMULA: 'y ~ x1 + factor(x2) + factor(x3, ref = 2) + x1:x4 + a*b' (- 1 drops the intercept).
            Rows with Don't know/Refused (user-missing) or system-missing on any model variable are excluded
            listwise and kept in the design with zero influence.
            """)
    @OptionGroup var input: InputOptions
    @Argument(help: "Model formula, e.g. 'y ~ x1 + factor(x2) + x1:x3'.") var formula: String
    @Option(name: .long, help: "Family: gaussian, binomial, poisson, quasibinomial, quasipoisson.") var family: GLMFamily = .gaussian
    @Option(name: .long, help: "Link (default: the family's canonical link; binomial also takes probit).") var link: GLMLink?
    @Option(name: .long, help: "Binomial families: response codes counted as success, e.g. 1,2 (others are 0).") var success: String?
    @OptionGroup var options: AnalysisOptions

    func run() throws {
        var needs = ColumnNeeds()
        needs.add(formula: formula)
        let (design, domain) = try options.design(input, needs: needs)
        let codes = try success.map { Set(try parseCodes($0, option: "--success")) }
        let result = try design.glm(formula, family: family, link: link, successCodes: codes, level: options.level,
                                     domain: domain)
        try emit(result, options.output)
    }
}
