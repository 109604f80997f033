/// A subpopulation expressed as an indicator over all respondents.
///
/// Rows outside the domain stay in the design (their indicator is false)
/// so that design-based variances of domain estimates remain correct
/// (Lumley 2010, §2.3: subsetting a design must not drop PSUs).
public struct Domain: Sendable, Equatable {
    /// One flag per respondent.
    public let mask: [Bool]
    /// What the domain is, e.g. `q1 in {1,2}`.
    public let description: String

    /// A domain from an explicit mask.
    public init(mask: [Bool], description: String) {
        self.mask = mask
        self.description = description
    }

    /// Every respondent.
    public static func all(_ count: Int) -> Domain {
        Domain(mask: [Bool](repeating: true, count: count), description: "all respondents")
    }

    /// Number of respondents in the domain.
    public var count: Int { mask.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Intersection.
    public static func && (a: Domain, b: Domain) throws(BarometerError) -> Domain {
        guard a.mask.count == b.mask.count else { throw .invalidArgument("domains of different lengths") }
        return Domain(mask: zip(a.mask, b.mask).map { $0 && $1 },
                      description: "\(parenthesized(a.description, in: "and")) and \(parenthesized(b.description, in: "and"))")
    }

    /// Union.
    public static func || (a: Domain, b: Domain) throws(BarometerError) -> Domain {
        guard a.mask.count == b.mask.count else { throw .invalidArgument("domains of different lengths") }
        return Domain(mask: zip(a.mask, b.mask).map { $0 || $1 },
                      description: "\(parenthesized(a.description, in: "or")) or \(parenthesized(b.description, in: "or"))")
    }

    /// `text` as an operand of `and`/`or`: bare when it has no `and`/`or`/`not` of its own at the
    /// top (or the same operator), else in parentheses, so `lang = Kazakh and wave = 2019` reads
    /// as the memo would write it and `(a or b) and c` keeps its meaning.
    static func parenthesized(_ text: String, in op: String) -> String {
        let words = text.split(separator: " ").map { $0.lowercased() }
        let others = ["and", "or", "not"].filter { $0 != op }
        return words.contains(where: { others.contains($0) }) || words.first == "not" ? "(\(text))" : text
    }

    /// Complement.
    public static prefix func ! (a: Domain) -> Domain {
        Domain(mask: a.mask.map { !$0 }, description: "not (\(a.description))")
    }
}
