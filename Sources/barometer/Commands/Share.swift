import ArgumentParser
import Barometer
import BarometerIO
import Foundation

/// `VAR in 1,2` (also `VAR in {1,2}` or `VAR=1,2`): a variable and a code set.
struct CodeSetArgument: ExpressibleByArgument {
    let variable: String
    let codes: Set<Double>

    init?(argument: String) {
        var text = argument.trimmingCharacters(in: .whitespaces)
        var name = "", rest = ""
        if let r = text.range(of: " in ") {
            name = String(text[..<r.lowerBound]); rest = String(text[r.upperBound...])
        } else if let eq = text.firstIndex(of: "=") {
            name = String(text[..<eq]); rest = String(text[text.index(after: eq)...])
        } else { return nil }
        text = rest.trimmingCharacters(in: CharacterSet(charactersIn: " {}"))
        var codes = Set<Double>()
        for part in text.split(separator: ",") {
            guard let c = Double(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            codes.insert(c)
        }
        name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !codes.isEmpty else { return nil }
        variable = name
        self.codes = codes
    }
}

struct Share: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Share of respondents with Y in a code set among those with X in a code set, with a confidence interval.")

    @OptionGroup var input: InputOptions
    @Option(name: .long, help: "The answer counted, e.g. 'us in 1,2'.") var of: CodeSetArgument
    @Option(name: .long, help: "The domain, e.g. 'rus in 1,2' (default: all respondents).") var among: CodeSetArgument?
    @Option(name: .long, help: "One share per category of this variable (a row-percent table with CIs).") var by: String?
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Interval: logit (default, R svyciprop), likelihood, asin, xlogit, mean, korn-graubard (design SE and df); wald, wilson, clopper-pearson, agresti-coull (Kish n_eff).")
    var ci: ProportionIntervalMethod = .standard
    @Option(name: .long, help: "Confidence level.") var level: Double = 0.95
    @Flag(name: .long, help: "Keep Don't know / Refused / no answer to Y in the denominator (base: all in the domain).")
    var allInDomain = false
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let design = try designOptions.design(try input.load(), weight: weight)
        let denominator: ConditionalShare.Denominator = allInDomain ? .allInDomain : .validAnswers
        if let by {
            let domain = try among.map { try design.domain($0.variable, in: $0.codes) }
            let table = try ShareTable(design, of: of.variable, in: of.codes, by: by, domain: domain,
                                       denominator: denominator, method: ci, level: level)
            warn(table.warnings)
            try emit(table, output)
        } else {
            let share = try ConditionalShare(design, of: of.variable, in: of.codes, among: among?.variable,
                                             in: among?.codes ?? [], denominator: denominator, method: ci, level: level)
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
