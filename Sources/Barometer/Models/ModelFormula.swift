/// A model formula in R's Wilkinson–Rogers notation, restricted to what
/// survey regressions need:
///
///     y ~ x1 + factor(x2) + factor(x3, ref = 2) + x1:x4 + a*b - 1
///
/// - `x` enters as a numeric column; `factor(x)` as dummy (treatment) columns
///   with the lowest code as reference, or the code given by `ref =`.
/// - `a:b` is the interaction (products of the columns); `a*b` expands to
///   `a + b + a:b` (`:` binds tighter than `*`, as in R).
/// - `- 1`, `+ 0` or a leading `0` drop the intercept; `+ 1` keeps it.
///
/// Terms are ordered as R's `terms()` orders them: by the number of
/// variables, then by first appearance; duplicates (`a:b` and `b:a`) merge.
/// Parsing never traps: every error is
/// ``BarometerError/invalidFormula(token:column:reason:)`` naming the
/// 1-based character column of the offending token.
///
/// Work is bounded: at most 8 variables interact (in `a:b:…`, and in all the
/// factors of one product `a*b*…`, whose expansion holds their full
/// interaction; Stata's limit for interacted factor variables), and a formula
/// has at most 1,024 terms after expansion. Both are checked at the `:` or
/// `*` that passes them, before the expansion grows, so parsing n characters
/// takes O(n) steps plus O(2^8) per `*` that brings a new factor.
public struct ModelFormula: Sendable, Equatable, CustomStringConvertible {
    /// One variable inside a term.
    public struct Predictor: Sendable, Hashable {
        /// Variable name.
        public let variable: String
        /// Whether it enters as a factor (dummy coding).
        public let isFactor: Bool
        /// Reference category of a factor (nil: the lowest code).
        public let reference: Double?

        /// - Parameters:
        ///   - variable: Variable name.
        ///   - isFactor: Whether it enters as a factor (dummy coding) rather than numerically.
        ///   - reference: Reference category of a factor (nil: the lowest code).
        public init(variable: String, isFactor: Bool, reference: Double? = nil) {
            self.variable = variable
            self.isFactor = isFactor
            self.reference = reference
        }

        /// R's label: `x` or `factor(x)`.
        public var label: String { isFactor ? "factor(\(variable))" : variable }
    }

    /// A term: one predictor, or an interaction of several (in the order of
    /// their first appearance in the formula).
    public struct Term: Sendable, Equatable {
        /// The predictors multiplied in this term (one for a main effect).
        public let predictors: [Predictor]
        /// R's term label, e.g. `enroll:factor(stype)`.
        public var label: String { predictors.map(\.label).joined(separator: ":") }
    }

    /// The response variable.
    public let response: String
    /// Right-hand-side terms in R's order.
    public let terms: [Term]
    /// Whether the model has an intercept.
    public let intercept: Bool

    /// The formula as text that parses back to the same formula: names that are
    /// not plain identifiers are back-quoted, as R deparses non-syntactic names.
    public var description: String {
        var parts = terms.map { term in
            term.predictors.map { p in
                guard p.isFactor else { return Self.printed(p.variable) }
                return "factor(\(Self.printed(p.variable))" + (p.reference.map { ", ref = \(Variable.formatCode($0))" } ?? "") + ")"
            }.joined(separator: ":")
        }
        if !intercept { parts.append("0") }
        return "\(Self.printed(response)) ~ " + (parts.isEmpty ? "1" : parts.joined(separator: " + "))
    }

    /// `name` as the parser reads it back: bare when it is a plain identifier
    /// (a letter, `_` or `.` not followed by a digit, then letters, digits, `_`, `.`),
    /// else in back-quotes.
    static func printed(_ name: String) -> String {
        let chars = Array(name)
        guard let first = chars.first, first.isLetter || first == "_" || first == ".",
              !(first == "." && chars.count > 1 && chars[1].isNumber),
              chars.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else { return "`\(name)`" }
        return name
    }

    /// Parses `text`.
    /// - Throws: ``BarometerError/invalidFormula(token:column:reason:)``.
    public init(parsing text: String) throws(BarometerError) {
        var parser = FormulaParser(text)
        let parsed = try parser.parse()
        self.response = parsed.response
        self.terms = parsed.terms
        self.intercept = parsed.intercept
    }

    package init(response: String, terms: [Term], intercept: Bool) {
        self.response = response
        self.terms = terms
        self.intercept = intercept
    }

    /// This formula with every variable renamed by `name` and each factor's
    /// reference code translated by `code` (variable, code → code).
    public func renamed(_ name: (String) -> String, code: (String, Double) -> Double = { $1 }) -> ModelFormula {
        ModelFormula(response: name(response), terms: terms.map { t in
            Term(predictors: t.predictors.map { p in
                Predictor(variable: name(p.variable), isFactor: p.isFactor, reference: p.reference.map { code(p.variable, $0) })
            })
        }, intercept: intercept)
    }

    /// Whether `column` is a name ``SurveyDesign/glm(_:options:domain:)`` can
    /// give a coefficient of this formula: `(Intercept)` (with an intercept), a
    /// term's label when all its predictors are numeric, or R's column name of
    /// a factor level (`factor(x)<code>`, `x:factor(z)<code>`, …).
    public func canName(column: String) -> Bool {
        if column == "(Intercept)" { return intercept }
        for t in terms {
            var rest = Substring(column)
            var ok = true
            for (k, p) in t.predictors.enumerated() {
                if k > 0 { guard rest.first == ":" else { ok = false; break }; rest = rest.dropFirst() }
                let head = p.isFactor ? "factor(\(p.variable))" : p.variable
                guard rest.hasPrefix(head) else { ok = false; break }
                rest = rest.dropFirst(head.count)
                if p.isFactor {
                    // a level code: digits, sign, point, exponent (Variable.formatCode's output)
                    let code = rest.prefix { $0.isNumber || $0 == "-" || $0 == "." || $0 == "e" || $0 == "+" }
                    guard Double(code) != nil else { ok = false; break }
                    rest = rest.dropFirst(code.count)
                }
            }
            if ok && rest.isEmpty { return true }
        }
        return false
    }

    /// All variables the formula uses (response first), without repeats.
    public var variables: [String] {
        var seen = Set<String>(), out: [String] = []
        for v in [response] + terms.flatMap({ $0.predictors.map(\.variable) }) where seen.insert(v).inserted { out.append(v) }
        return out
    }
}

/// Tokenizer and recursive-descent parser behind ``ModelFormula``.
struct FormulaParser {
    typealias Predictor = ModelFormula.Predictor
    enum Kind: Equatable { case name, number, string, symbol, end }
    struct Token { let kind: Kind; let text: String; let column: Int }

    private var tokens: [Token] = []
    private var position = 0
    private var lexError: BarometerError?
    /// First-appearance order of each variable (orders variables inside a term).
    private var order: [String: Int] = [:]
    /// Reference category per factor variable (one per variable).
    private var references: [String: (Double?, Token)] = [:]
    /// The formula's terms in order of appearance; a removed term leaves nil.
    private var raw: [RawTerm?] = []
    /// Place in `raw` of each term present, by key: adding, merging and
    /// removing a term cost O(``maximumOrder``), whatever the number of terms.
    private var live: [TermKey: Int] = [:]

    init(_ text: String) {
        let chars = Array(text)
        var i = 0
        func isNameStart(_ c: Character) -> Bool { c.isLetter || c == "_" || c == "." }
        func isNamePart(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." }
        while i < chars.count {
            let c = chars[i], col = i + 1
            if c.isWhitespace { i += 1; continue }
            if c == "`" {
                var j = i + 1
                while j < chars.count && chars[j] != "`" { j += 1 }
                guard j < chars.count else {
                    lexError = .invalidFormula(token: "`", column: col, reason: "unterminated back-quoted name")
                    break
                }
                tokens.append(Token(kind: .name, text: String(chars[(i + 1)..<j]), column: col))
                i = j + 1
            } else if c == "\"" || c == "'" {
                var j = i + 1
                while j < chars.count && chars[j] != c { j += 1 }
                guard j < chars.count else {
                    lexError = .invalidFormula(token: String(c), column: col, reason: "unterminated quoted value")
                    break
                }
                tokens.append(Token(kind: .string, text: String(chars[(i + 1)..<j]), column: col))
                i = j + 1
            } else if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count && (chars[j].isNumber || chars[j] == "." || chars[j] == "e" || chars[j] == "E"
                                          || ((chars[j] == "-" || chars[j] == "+") && j > i && (chars[j - 1] == "e" || chars[j - 1] == "E"))) { j += 1 }
                // A number followed by letters is a name such as `2x`: reject clearly.
                if j < chars.count && isNameStart(chars[j]) {
                    var k = j
                    while k < chars.count && isNamePart(chars[k]) { k += 1 }
                    lexError = .invalidFormula(token: String(chars[i..<k]), column: col,
                                               reason: "a name cannot start with a digit (back-quote it: `name`)")
                    break
                }
                tokens.append(Token(kind: .number, text: String(chars[i..<j]), column: col))
                i = j
            } else if isNameStart(c) {
                var j = i
                while j < chars.count && isNamePart(chars[j]) { j += 1 }
                tokens.append(Token(kind: .name, text: String(chars[i..<j]), column: col))
                i = j
            } else if "~+*:-(),=".contains(c) {
                tokens.append(Token(kind: .symbol, text: String(c), column: col))
                i += 1
            } else {
                lexError = .invalidFormula(token: String(c), column: col, reason: "unexpected character")
                break
            }
        }
        tokens.append(Token(kind: .end, text: "", column: chars.count + 1))
    }

    private var current: Token { tokens[min(position, tokens.count - 1)] }
    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }
    private func fail(_ t: Token, _ reason: String) -> BarometerError {
        .invalidFormula(token: t.text, column: t.column, reason: reason)
    }
    private mutating func expectSymbol(_ s: String, _ reason: String) throws(BarometerError) {
        guard current.kind == .symbol, current.text == s else { throw fail(current, reason) }
        advance()
    }

    /// The predictors of one term.
    typealias RawTerm = [Predictor]

    mutating func parse() throws(BarometerError) -> (response: String, terms: [ModelFormula.Term], intercept: Bool) {
        if let e = lexError { throw e }
        guard current.kind == .name else { throw fail(current, "expected the response variable before '~'") }
        let response = current.text
        advance()
        try expectSymbol("~", "expected '~' after the response")
        var intercept = true
        var sign = 1
        if current.kind == .symbol && (current.text == "+" || current.text == "-") {
            sign = current.text == "-" ? -1 : 1
            advance()
        }
        while true {
            if current.kind == .number {
                let t = current
                advance()
                switch (t.text, sign) {
                case ("1", 1): intercept = true
                case ("0", 1), ("1", -1): intercept = false
                case ("0", -1): intercept = true
                default: throw fail(t, "only 1 and 0 (the intercept) may appear as numbers")
                }
            } else {
                try parseProduct(adding: sign > 0)
            }
            if current.kind == .end { break }
            guard current.kind == .symbol, current.text == "+" || current.text == "-" else {
                throw fail(current, "expected '+', '-', '*' or ':' between terms")
            }
            sign = current.text == "-" ? -1 : 1
            advance()
        }
        let unique = raw.compactMap { $0 }
        guard !(unique.isEmpty && !intercept) else { throw fail(current, "the model has neither an intercept nor a predictor") }
        if unique.contains(where: { $0.contains { $0.variable == response } }) {
            throw .invalidFormula(token: response, column: tokens[0].column, reason: "the response also appears as a predictor")
        }
        // Duplicates (as sets of variables) merged above; order variables by first appearance, terms by degree.
        let indexed = Array(unique.enumerated())
        let sorted: [RawTerm] = indexed.sorted { (a: (offset: Int, element: RawTerm), b: (offset: Int, element: RawTerm)) -> Bool in
            a.element.count != b.element.count ? a.element.count < b.element.count : a.offset < b.offset
        }.map { $0.element }
        var terms: [ModelFormula.Term] = []
        for t in sorted {
            let ordered = t.sorted { (l: Predictor, r: Predictor) -> Bool in (order[l.label] ?? 0) < (order[r.label] ?? 0) }
            let resolved = ordered.map { (p: Predictor) -> Predictor in
                p.isFactor ? Predictor(variable: p.variable, isFactor: true, reference: references[p.variable]?.0) : p
            }
            terms.append(ModelFormula.Term(predictors: resolved))
        }
        return (response, terms, intercept)
    }

    /// Most variables in one term: in an interaction `a:b:…`, and in the union
    /// of a product's factors `a*b*…` (whose expansion contains the term of all
    /// of them, so a product has at most 2^8 − 1 terms). Stata's limit for
    /// interacted factor variables; R has none.
    static let maximumOrder = 8
    /// Most terms of a formula after expanding its products and merging
    /// duplicates (R has no limit: `terms()` takes 0.4 s for 1,023 terms and
    /// did not finish within 2 minutes for 16,383).
    static let maximumTerms = 1024

    /// A term's identity: the first-appearance ids of its variables, ascending,
    /// padded with −1 (`a:b` and `b:a` are one term). A term has at most
    /// ``maximumOrder`` variables, so the key is a fixed-size value: no allocation.
    typealias TermKey = SIMD8<Int>

    /// product := interaction ('*' interaction)*
    ///
    /// The expansion of `t1 * … * tk` is every union of a non-empty subset of
    /// the factors, in R's order of appearance. Factors' variables get local
    /// bits (at most ``maximumOrder``, checked at the `*` or `:` that brings one
    /// more, before anything is expanded), so a term is a bit mask and each `*`
    /// costs O(2^8) at most; a factor already among the terms adds nothing
    /// (the set is closed under unions) and costs O(1).
    ///
    /// Each term is added to the formula (checked against ``maximumTerms`` at
    /// the `*` that brings the term passing it) or, after a `-`, removed.
    private mutating func parseProduct(adding: Bool) throws(BarometerError) {
        var factors: [Predictor] = []
        var bit: [String: Int] = [:]
        /// Local bits in ascending order of the variables' first appearance in the formula.
        var byAppearance: [(bit: Int, id: Int)] = []
        func mask(_ t: RawTerm) -> Int {
            var m = 0
            for p in t { m |= 1 << (bit[p.label] ?? 0) }
            return m
        }
        func admit(_ t: RawTerm, at token: Token) throws(BarometerError) {
            for p in t where bit[p.label] == nil {
                guard factors.count < Self.maximumOrder else {
                    throw fail(token, "a product of more than \(Self.maximumOrder) variables (its expansion would hold an interaction of all of them; at most \(Self.maximumOrder) variables may interact)")
                }
                bit[p.label] = factors.count
                let id = order[p.label] ?? -1
                byAppearance.insert((factors.count, id), at: byAppearance.firstIndex { $0.id > id } ?? byAppearance.count)
                factors.append(p)
            }
        }
        func include(_ m: Int, at token: Token) throws(BarometerError) {
            var key = TermKey(repeating: -1), i = 0
            for f in byAppearance where m & (1 << f.bit) != 0 { key[i] = f.id; i += 1 }
            if !adding {
                if let k = live.removeValue(forKey: key) { raw[k] = nil }
                return
            }
            guard live[key] == nil else { return }
            guard live.count < Self.maximumTerms else {
                throw fail(token, "the formula has more than \(Self.maximumTerms) terms after expanding its products")
            }
            live[key] = raw.count
            raw.append(factors.indices.filter { m & (1 << $0) != 0 }.map { factors[$0] })
        }
        let start = current
        let first = try parseInteraction()
        try admit(first, at: start)
        var masks = [mask(first)]
        var seen = Set(masks)
        try include(masks[0], at: start)
        while current.kind == .symbol && current.text == "*" {
            let star = current
            advance()
            let right = try parseInteraction()
            try admit(right, at: star)
            let r = mask(right)
            guard !seen.contains(r) else { continue }
            for m in [r] + masks.map({ $0 | r }) where seen.insert(m).inserted {
                try include(m, at: star)
                masks.append(m)
            }
        }
    }

    /// interaction := atom (':' atom)*
    private mutating func parseInteraction() throws(BarometerError) -> RawTerm {
        var term: RawTerm = [try parseAtom()]
        while current.kind == .symbol && current.text == ":" {
            let colon = current
            advance()
            let p = try parseAtom()
            guard !term.contains(where: { $0.label == p.label }) else { continue }
            guard term.count < Self.maximumOrder else {
                throw fail(colon, "an interaction of more than \(Self.maximumOrder) variables")
            }
            term.append(p)
        }
        return term
    }

    /// atom := name | factor '(' name (',' 'ref' '=' (number|string))? ')' | '(' product ')'-free
    private mutating func parseAtom() throws(BarometerError) -> Predictor {
        let t = current
        guard t.kind == .name else {
            if t.kind == .end { throw fail(t, "expected a variable at the end of the formula") }
            throw fail(t, "expected a variable or factor(…)")
        }
        advance()
        let isCall = current.kind == .symbol && current.text == "("
        if isCall {
            guard t.text == "factor" || t.text == "as.factor" else {
                throw fail(t, "unsupported function '\(t.text)' (only factor(x) and factor(x, ref = code))")
            }
            advance()
            let v = current
            guard v.kind == .name else { throw fail(v, "expected a variable inside factor(…)") }
            advance()
            var reference: Double? = nil
            if current.kind == .symbol && current.text == "," {
                advance()
                guard current.kind == .name, current.text == "ref" else { throw fail(current, "expected 'ref = code' after ','") }
                advance()
                try expectSymbol("=", "expected '=' after 'ref'")
                var negative = false
                if current.kind == .symbol && current.text == "-" { negative = true; advance() }
                let c = current
                guard c.kind == .number || c.kind == .string, let x = Double(c.text), x.isFinite else {
                    throw fail(c, "the reference category must be a numeric code")
                }
                reference = negative ? -x : x
                advance()
            }
            try expectSymbol(")", "expected ')' to close factor(…)")
            if order["factor(\(v.text))"] == nil { order["factor(\(v.text))"] = order.count }
            if let prior = references[v.text] {
                if prior.0 != reference && reference != nil && prior.0 != nil {
                    throw fail(v, "two different reference categories for '\(v.text)'")
                }
                if reference != nil { references[v.text] = (reference, v) }
            } else {
                references[v.text] = (reference, v)
            }
            return Predictor(variable: v.text, isFactor: true, reference: reference)
        }
        if order[t.text] == nil { order[t.text] = order.count }
        return Predictor(variable: t.text, isFactor: false)
    }
}
