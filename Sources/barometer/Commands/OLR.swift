import ArgumentParser
import Barometer

extension OrdinalLink: ExpressibleByArgument {}

/// `barometer olr`: design-based proportional-odds model (R svyolr).
struct OLRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "olr",
        abstract: "Design-based proportional-odds (ordinal logit/probit) model (R svyolr): slopes, thresholds, design SEs.",
        discussion: """
            FORMULA: 'y ~ x1 + factor(x2)' with y an ordinal variable of 3+ valid codes (ordered by code).
            Rows with Don't know/Refused (user-missing) or system-missing on any model variable are excluded
            listwise and kept in the design with zero influence.
            """)
    @OptionGroup var input: InputOptions
    @Argument(help: "Model formula, e.g. 'opinion ~ age + factor(region)'.") var formula: String
    @Option(name: .long, help: "Link: logistic (proportional odds) or probit.") var link: OrdinalLink = .logistic
    @OptionGroup var options: AnalysisOptions

    func run() throws {
        var needs = ColumnNeeds()
        needs.add(formula: formula)
        let (design, domain) = try options.design(input, needs: needs)
        try emit(try design.olr(formula, link: link, level: options.level, domain: domain), options.output)
    }
}
