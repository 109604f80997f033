import ArgumentParser
import Barometer

/// `--where EXPR`, shared by every estimating command so that all speak the
/// same domain language (``DomainExpression``). The domain keeps every row in
/// the design (R `subset(design, …)`); descriptive tables count only its rows.
struct DomainOptions: ParsableArguments {
    @Option(name: .customLong("where"),
            help: ArgumentHelp("Restrict to a domain, e.g. 'lang == \"Kazakh\" and wave == 2019', 'age in 18-29', 'not q1 is missing'.",
                               discussion: "Operators: == != < <= > >=, in LIST (codes, ranges 1-3, labels), not in, is [not] missing|dk|refused|sysmis|usermissing|valid, and, or, not, parentheses.",
                               valueName: "EXPR"))
    var whereExpression: String?

    /// The domain over `data`, nil without `--where`.
    func domain(_ data: Dataset) throws -> Domain? {
        guard let text = whereExpression else { return nil }
        return try DomainExpression(text).domain(in: data)
    }

    /// The `--where` domain intersected with `other` (either may be absent).
    func domain(_ data: Dataset, and other: Domain?) throws -> Domain? {
        guard let d = try domain(data) else { return other }
        guard let o = other else { return d }
        return try o && d
    }
}
