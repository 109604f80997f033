import Foundation

/// What a banner book shows: the stub (questions in the rows) against the
/// banner (Total plus the categories of several grouping variables in the
/// columns), the base rule, the column test and its levels.
///
/// As a JSON file (`barometer banner FILE --spec SPEC.json`):
///
/// ```json
/// {"stubs": [{"variable": "q_russia_opinion", "nets": [{"label": "Favourable", "codes": [1, 2]}]},
///            {"variable": "age", "kind": "mean"}],
///  "banner": [{"variable": "lang"}, {"variable": "age_group"}],
///  "total": true, "base": "valid", "test": "design", "levels": [0.05, 0.01], "adjust": "none"}
/// ```
///
/// Every field but `stubs` and `banner` is optional; the defaults are those
/// of ``Resolved``.
public struct BannerSpecification: Sendable, Codable, Equatable {
    /// A combined category ("net"): its label and the codes it adds up.
    public struct Net: Sendable, Codable, Equatable {
        /// The net's row or column heading ("Favourable").
        public var label: String
        /// The valid codes it adds up (user-missing codes are refused).
        public var codes: [Double]
        /// A net called `label` over `codes`.
        public init(label: String, codes: [Double]) { self.label = label; self.codes = codes }
    }

    /// What a stub entry shows per column.
    public enum StubKind: String, Sendable, Codable {
        /// Column percentages of each category (and net).
        case categories
        /// The mean of a numeric variable, with its SE.
        case mean
        /// A multiple-response set stored in several columns (``Stub/variables``):
        /// per code, the percentage of cases (respondents with at least one valid
        /// answer in the set) who named it, as SPSS `MULT RESPONSE`'s % of cases.
        case multipleResponse
    }

    /// One question of the stub.
    public struct Stub: Sendable, Codable, Equatable {
        /// The variable (for a multiple-response set: the set's name, used as its title
        /// unless its first member has a label).
        public var variable: String
        /// What the entry shows (default ``StubKind/categories``).
        public var kind: StubKind?
        /// Nets shown as extra rows after the categories.
        public var nets: [Net]?
        /// Member columns of a ``StubKind/multipleResponse`` set.
        public var variables: [String]?
        /// A stub entry; `variables` only for a ``StubKind/multipleResponse`` set.
        public init(variable: String, kind: StubKind? = nil, nets: [Net]? = nil, variables: [String]? = nil) {
            self.variable = variable; self.kind = kind; self.nets = nets; self.variables = variables
        }
    }

    /// One grouping variable of the banner: its valid categories (and nets) become columns.
    public struct BannerVariable: Sendable, Codable, Equatable {
        /// The grouping variable (numeric, with its valid categories as columns).
        public var variable: String
        /// Nets shown as extra columns after the categories (never compared with their own categories).
        public var nets: [Net]?
        /// A banner variable with optional nets.
        public init(variable: String, nets: [Net]? = nil) { self.variable = variable; self.nets = nets }
    }

    /// Who is in a column's base.
    public enum Base: String, Sendable, Codable, CaseIterable {
        /// Valid answers to the stub question (DK, Refused and system-missing left out).
        case valid
        /// Everyone in the column; DK/Refused/system-missing rows are shown, and kept out of the tests.
        case all
    }

    /// The column test.
    public enum Test: String, Sendable, Codable, CaseIterable {
        /// Design-based difference of two domain proportions (or means): SE from the
        /// design covariance of the two domain estimates (R `svyby(covmat = TRUE)` +
        /// `svycontrast`), t on the design's degrees of freedom.
        case design
        /// SPSS Custom Tables' column proportions z-test on effective bases
        /// (pooled proportion; weights through the effective base).
        case spss
        /// No test: no letters.
        case none
    }

    /// The questions (rows), in order.
    public var stubs: [Stub]
    /// The grouping variables (columns), in order.
    public var banner: [BannerVariable]
    /// Whether a Total column comes first (default true).
    public var total: Bool?
    /// Who is in a column's base (default ``Base/valid``).
    public var base: Base?
    /// The column test (default ``Test/design``).
    public var test: Test?
    /// Significance levels (default `[0.05]`).
    public var levels: [Double]?
    /// Multiplicity adjustment within a row's banner variable (default none).
    public var adjust: PValueAdjustment?

    /// A specification; nil fields take the defaults of ``Resolved``.
    public init(stubs: [Stub], banner: [BannerVariable], total: Bool? = nil, base: Base? = nil, test: Test? = nil,
                levels: [Double]? = nil, adjust: PValueAdjustment? = nil) {
        self.stubs = stubs; self.banner = banner; self.total = total; self.base = base; self.test = test
        self.levels = levels; self.adjust = adjust
    }

    /// The specification with every default filled in and checked.
    public struct Resolved: Sendable, Equatable {
        /// The questions, checked.
        public let stubs: [Stub]
        /// The grouping variables, checked.
        public let banner: [BannerVariable]
        /// A Total column first (default true).
        public let total: Bool
        /// Default ``Base/valid`` (SPSS Custom Tables' and R's `na.rm = TRUE` base).
        public let base: Base
        /// Default ``Test/design``.
        public let test: Test
        /// Significance levels, strictest first (default `[0.05]`). A cell shows the
        /// letter of a column it is higher than in upper case at the strictest
        /// level, in lower case when significant only at a looser one.
        public let levels: [Double]
        /// Multiplicity adjustment within a row's family (the pairs of one banner
        /// variable), default none (as SPSS without Bonferroni).
        public let adjust: PValueAdjustment
    }

    /// Fills in the defaults and checks the values.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` naming the field: no
    ///   stubs or banner variables, a level outside (0, 1), a net without codes.
    public func resolved() throws(BarometerError) -> Resolved {
        guard !stubs.isEmpty else { throw .invalidArgument("banner specification: 'stubs' is empty") }
        guard !banner.isEmpty else { throw .invalidArgument("banner specification: 'banner' is empty") }
        let levels = (self.levels ?? [0.05])
        guard !levels.isEmpty, levels.count <= 2 else {
            throw .invalidArgument("banner specification: 'levels' takes one or two significance levels, got \(levels.count)")
        }
        for l in levels where !(l > 0 && l < 1) {
            throw .invalidArgument("banner specification: significance level \(l) is outside (0, 1)")
        }
        for s in stubs where (s.kind == .multipleResponse) != !(s.variables ?? []).isEmpty {
            throw .invalidArgument("banner specification: stub '\(s.variable)': 'variables' belongs with kind 'multipleResponse' and it needs at least one")
        }
        for s in stubs { for n in s.nets ?? [] where n.codes.isEmpty {
            throw .invalidArgument("banner specification: net '\(n.label)' of stub '\(s.variable)' has no codes")
        } }
        for b in banner { for n in b.nets ?? [] where n.codes.isEmpty {
            throw .invalidArgument("banner specification: net '\(n.label)' of banner variable '\(b.variable)' has no codes")
        } }
        return Resolved(stubs: stubs, banner: banner, total: total ?? true, base: base ?? .valid, test: test ?? .design,
                        levels: levels.sorted(), adjust: adjust ?? .none)
    }

    /// Decodes a specification from JSON text.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` naming `source` and, for a
    ///   decoding failure, the JSON path of the offending field.
    public static func decode(_ data: Data, source: String = "banner specification") throws(BarometerError) -> BannerSpecification {
        do {
            return try JSONDecoder().decode(BannerSpecification.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidArgument("\(source): missing field '\(key.stringValue)' at \(Self.path(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidArgument("\(source): wrong type at \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidArgument("\(source): missing value at \(Self.path(context.codingPath))")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidArgument("\(source): \(context.debugDescription) at \(Self.path(context.codingPath))")
        } catch {
            throw .invalidArgument("\(source): \(error)")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
