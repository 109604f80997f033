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
    @Option(name: .long, help: "Restrict to a domain, e.g. 'rus in 1,2' (domain language, as --where).") var among: String?
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Flag(name: .long, help: "Do not count user-missing codes (Don't know, no answer) as responses.") var excludeMissing = false
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        var codes = Set<Double>()
        for e in exclude { for p in e.split(separator: ",") {
            guard let c = Double(p.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--exclude: '\(p)' is not a code") }
            codes.insert(c)
        } }
        var needs = ColumnNeeds()
        needs.add(variables); needs.add(weight); needs.add(expression: among); domainOptions.addNeeds(to: &needs)
        let design = try SurveyDesign(data: input.load(needs), weight: weight)
        let among = try self.among.map { (text) throws -> Domain in
            let e = try DomainExpression(text)
            if let set = try e.codeSet(in: design.data) { return try design.domain(set.variable, in: set.codes) }
            return try e.domain(in: design.data)
        }
        let domain = try domainOptions.domain(design.data, and: among)
        try emit(MultipleResponseSet(design, variables: variables, excluding: codes, domain: domain,
                                     missing: excludeMissing ? .excludeMissing : .showMissing), output)
    }
}
