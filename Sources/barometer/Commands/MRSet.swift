import ArgumentParser
import Barometer
import BarometerIO
import Foundation

struct MRSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrset",
        abstract: "Multiple-response set over k columns: % of responses, % of cases, re-percentaged subset.")

    @OptionGroup var input: InputOptions
    @Argument(help: "The k columns holding the mentions.") var variables: [String]
    @Option(name: .long, help: "Code left out of the re-percentaging subset (repeatable or comma-separated).")
    var exclude: [String] = []
    @Option(name: .long, help: "Restrict to a domain, e.g. 'rus in 1,2'.") var among: CodeSetArgument?
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Flag(name: .long, help: "Do not count user-missing codes (Don't know, no answer) as responses.") var excludeMissing = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        var codes = Set<Double>()
        for e in exclude { for p in e.split(separator: ",") {
            guard let c = Double(p.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--exclude: '\(p)' is not a code") }
            codes.insert(c)
        } }
        let design = try SurveyDesign(data: input.load(), weight: weight)
        let domain = try among.map { try design.domain($0.variable, in: $0.codes) }
        try emit(MultipleResponseSet(design, variables: variables, excluding: codes, domain: domain,
                                     missing: excludeMissing ? .excludeMissing : .showMissing), output)
    }
}
