import ArgumentParser
import Barometer
import BarometerIO

/// `barometer partial share …`: the state of `share` (one share, or `--by` a table of
/// shares with its intervals and `--compare`), merged by `barometer merge` into what
/// `barometer share` prints on the whole data.
struct PartialShare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "share", abstract: "Partial state of `share` (with or without --by).")
    @OptionGroup var command: Share
    @OptionGroup var state: StateOutput

    func run() throws {
        try refuseCalibration(command.designOptions, "share")
        guard command.groupOptions.by.count <= 1 else { throw ValidationError("share takes one --by variable") }
        var needs = ColumnNeeds()
        needs.add(spec: command.of); needs.add(spec: command.among); needs.add(command.weight)
        command.designOptions.addNeeds(to: &needs); command.domainOptions.addNeeds(to: &needs)
        command.groupOptions.addNeeds(to: &needs)
        try state.write(try state.accumulate(command.input, needs: needs) { data in
            // As `share` reads its options (Share.run): code sets stay, conditions become indicators.
            var data = data
            let of = try data.codeSet(command.of)
            let amongExpression = try command.among.map { try DomainExpression($0) }
            let amongSet = try amongExpression.flatMap { try $0.codeSet(in: data) }
            let by = try command.groupOptions.by.first.map { try data.groupingVariable($0, numeric: true) }
            let design = try command.designOptions.design(data, weight: command.weight, partial: true)
            let amongDomain = amongSet == nil ? try amongExpression.map { try $0.domain(in: data) } : nil
            let denominator: ConditionalShare.Denominator = command.allInDomain ? .allInDomain : .validAnswers
            let spec = designSpec(design, command.designOptions)
            if let by {
                let domain = try command.domainOptions.domain(data, and: amongSet.map { try design.domain($0.variable, in: $0.codes) } ?? amongDomain)
                return try PartialResult.share(design, of: of.variable, in: of.codes, by: by, domain: domain,
                                               denominator: denominator, method: command.ci, level: command.level,
                                               compare: command.groupOptions.compare, adjustment: command.groupOptions.adjust,
                                               design: spec)
            }
            return try PartialResult.share(design, of: of.variable, in: of.codes, among: amongSet?.variable,
                                           in: amongSet?.codes ?? [], domain: try command.domainOptions.domain(data, and: amongDomain),
                                           denominator: denominator, method: command.ci, level: command.level, design: spec)
        })
    }
}
