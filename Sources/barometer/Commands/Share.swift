import ArgumentParser
import Barometer
import BarometerIO
import Foundation

struct Share: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Share of respondents with Y in a code set among those with X in a code set, with a confidence interval.")

    @OptionGroup var input: InputOptions
    @Option(name: .long, help: "The answer counted, e.g. 'us in 1,2', 'api00 > 700', 'region == \"North\"' (domain language, see --where).") var of: String
    @Option(name: .long, help: "The domain, e.g. 'rus in 1,2' or 'age in 18-29' (default: all respondents).") var among: String?
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Interval: logit (default, R svyciprop), likelihood, asin, xlogit, mean, korn-graubard (design SE and df); wald, wilson, clopper-pearson, agresti-coull (Kish n_eff).")
    var ci: ProportionIntervalMethod = .standard
    @Option(name: .long, help: "Confidence level.") var level: Double = 0.95
    @Flag(name: .long, help: "Keep Don't know / Refused / no answer to Y in the denominator (base: all in the domain).")
    var allInDomain = false
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var groupOptions: GroupOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        // --of / --among / --by in the domain language: a plain code set stays as it is; a
        // condition (threshold, range, text) becomes its 0/1 indicator (Dataset.codeSet / groupingVariable).
        var needs = ColumnNeeds()
        needs.add(spec: self.of); needs.add(spec: among); needs.add(weight)
        designOptions.addNeeds(to: &needs); domainOptions.addNeeds(to: &needs); groupOptions.addNeeds(to: &needs)
        var data = try input.load(needs)
        let of = try data.codeSet(self.of)
        let amongExpression = try among.map { try DomainExpression($0) }
        let amongSet = try amongExpression.flatMap { try $0.codeSet(in: data) }
        guard groupOptions.by.count <= 1 else { throw ValidationError("share takes one --by variable") }
        let by = try groupOptions.by.first.map { try data.groupingVariable($0, numeric: true) }
        let design = try designOptions.design(data, weight: weight)
        let amongDomain = amongSet == nil ? try amongExpression.map { try $0.domain(in: data) } : nil
        let domain = try domainOptions.domain(data, and: amongDomain)
        let denominator: ConditionalShare.Denominator = allInDomain ? .allInDomain : .validAnswers
        if let by {
            let domain = try domainOptions.domain(data, and: amongSet.map { try design.domain($0.variable, in: $0.codes) } ?? amongDomain)
            guard groupOptions.compare else {
                let table = try ShareTable(design, of: of.variable, in: of.codes, by: by, domain: domain,
                                           denominator: denominator, method: ci, level: level)
                warn(table.warnings)
                return try emit(table, output)
            }
            // differences of the rows' shares: group means of the 0/1 answer with their full covariance (one pass)
            let (table, groups) = try ShareTable.withGroupedEstimates(design, of: of.variable, in: of.codes, by: by, domain: domain,
                                                                      denominator: denominator, method: ci, level: level)
            warn(table.warnings)
            try emit(table, with: [try groups.pairwiseDifferences(adjustment: groupOptions.adjust)], key: "differences", output)
        } else {
            let share = try ConditionalShare(design, of: of.variable, in: of.codes, among: amongSet?.variable,
                                             in: amongSet?.codes ?? [], domain: domain, denominator: denominator, method: ci, level: level)
            warn(share.warnings)
            try emit(share, output)
        }
    }
}

extension ProportionIntervalMethod: ExpressibleByArgument {}

/// Writes each warning on standard error (the table and JSON carry them too).
func warn(_ warnings: [String]) {
    for w in warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
}
