/// A subpopulation written as text — `lang == "Kazakh" and wave == 2019`,
/// `age in 18-29`, `not q1 is missing` — parsed once and evaluated into a
/// ``Domain`` over every respondent (rows stay in the design).
///
/// Grammar (keywords are case-insensitive):
///
///     expr    := and ( ('or' | '|' | '||') and )*
///     and     := unary ( ('and' | '&' | '&&') unary )*
///     unary   := ('not' | '!') unary | '(' expr ')' | test
///     test    := NAME op value                 op: == = != <> < <= > >=
///              | NAME ['not'] 'in' list        list: item (',' item)*, optionally in ( ) or { }
///              | NAME 'is' ['not'] status      status: missing, dk, refused, sysmis, usermissing, valid
///     item    := value | value ('-' | 'thru' | 'to' | ':') value     (a closed numeric range)
///     value   := NUMBER | '-' NUMBER | 'text' | "text" | WORD
///
/// NAME is a variable name (letters, digits, `_`, `.`, `$`) or any text in
/// back-quotes. A text value is a value label of a numeric variable
/// (exact, else case-insensitive), or the text itself for a string variable;
/// a number is a code. `VAR = 1,2` (a list after `=`) means `VAR in 1,2`.
///
/// Missing values (three-valued logic, as R's `subset` and SPSS `SELECT IF`):
/// a test on a system-missing value is unknown; a test on a user-missing
/// code (Don't know, Refused, …) is unknown unless the test names that code
/// explicitly (`q == 8`, `q in 8,9`, `q == "Don't know"`), so order
/// comparisons and ranges never select user-missing codes. `not` of unknown
/// is unknown, `false and unknown` is false, `true or unknown` is true, and
/// a row is in the domain only when the whole expression is true. The
/// status tests are never unknown: `is missing` (user- or system-missing),
/// `is sysmis` (system-missing, including Stata/SAS extended missing values),
/// `is usermissing`, `is valid`, and `is dk` / `is refused`: the codes (or
/// extended-missing tags) whose value label says "Don't know" (don't know,
/// do not know, DK, hard/difficult to say or answer, can't say, не знаю,
/// затрудняюсь) or "Refused" (refused, declined, отказ).
public struct DomainExpression: Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    /// The parsed tree.
    public let root: Node

    /// A node of the parsed expression.
    public indirect enum Node: Sendable, Equatable {
        /// One test on one variable (a leaf).
        case test(Test)
        /// `not x`: true where x is false, unknown where x is unknown (Kleene).
        case not(Node)
        /// `x and y`: false if either is false, else unknown if either is unknown (Kleene).
        case and(Node, Node)
        /// `x or y`: true if either is true, else unknown if either is unknown (Kleene).
        case or(Node, Node)
    }

    /// One test on one variable.
    public struct Test: Sendable, Equatable {
        /// The variable's name and where it appears (0-based character offset).
        public let variable: String
        /// The 0-based character offset of the variable's name in the expression (for errors).
        public let offset: Int
        /// What the test checks.
        public let kind: Kind
    }

    /// What a test checks.
    public enum Kind: Sendable, Equatable {
        /// `==`, `!=`, `<`, `<=`, `>`, `>=` against one value.
        case compare(Comparison, Value)
        /// `in` a list of values and ranges (`negated`: `not in`).
        case within([Item], negated: Bool)
        /// `is [not]` a missing status.
        case status(MissingStatus, negated: Bool)
    }

    /// Comparison operators.
    public enum Comparison: String, Sendable, Equatable {
        /// `==` (also `=`): the value equals the code (a user-missing code only when named).
        case equal = "=="
        /// `!=` (also `<>`, `≠`): a valid value other than the code.
        case notEqual = "!="
        /// `<`: a valid value below the number.
        case less = "<"
        /// `<=` (also `≤`): a valid value at most the number.
        case lessOrEqual = "<="
        /// `>`: a valid value above the number.
        case greater = ">"
        /// `>=` (also `≥`): a valid value at least the number.
        case greaterOrEqual = ">="
    }

    /// A value as written: a number or a text (quoted, or a bare word).
    public struct Value: Sendable, Equatable {
        /// The value's kind.
        public enum Literal: Sendable, Equatable {
            /// A number (a code, or a bound of an order comparison).
            case number(Double)
            /// A text: a value label, or the text of a string variable.
            case text(String)
        }
        /// The value.
        public let literal: Literal
        /// The token as written and its offset.
        public let token: String
        /// The 0-based character offset of the token.
        public let offset: Int
    }

    /// An element of an `in` list.
    public enum Item: Sendable, Equatable {
        /// One code or label.
        case value(Value)
        /// A closed range of valid codes, `a-b` (`thru`, `to`, `:`).
        case range(Value, Value)
    }

    /// The statuses `is` tests.
    public enum MissingStatus: String, Sendable, Equatable, CaseIterable {
        /// User- or system-missing.
        case missing
        /// A code or extended-missing tag whose label reads as Don't know.
        case dk
        /// A code or extended-missing tag whose label reads as Refused.
        case refused
        /// System-missing, including Stata/SAS extended missing values.
        case sysmis
        /// A declared user-missing code.
        case usermissing
        /// Neither user- nor system-missing.
        case valid
    }

    /// Most `and`/`or` operators in one expression: 800, Stata's limit on
    /// dyadic operators in an expression (a long list of codes is `in 1, 2, …`).
    public static let maximumOperators = 800
    /// Most nested parentheses and `not`: 249, Stata's limit on nested
    /// parentheses. With ``maximumOperators`` this bounds the depth of the
    /// parsed tree, so parsing, evaluating and describing recurse at most
    /// about a thousand levels (a 5,000-term `and` chain overflowed the stack
    /// before the limits).
    public static let maximumNesting = 249

    /// Parses `text`.
    /// - Throws: ``BarometerError/invalidExpression(expression:offset:token:reason:)``
    ///   naming the offending token and its position, also beyond
    ///   ``maximumOperators`` operators or ``maximumNesting`` levels.
    public init(_ text: String) throws(BarometerError) {
        var parser = Parser(text: text, tokens: try Lexer.tokens(text))
        let node = try parser.expression()
        if let t = parser.peek {
            throw parser.error(t, "expected 'and', 'or' or the end of the expression")
        }
        self.text = text
        self.root = node
    }

    public var description: String { text }

    /// Names of the variables the expression reads, in order of appearance.
    public var variables: [String] {
        var out: [String] = []
        func walk(_ n: Node) {
            switch n {
            case .test(let t): if !out.contains(t.variable) { out.append(t.variable) }
            case .not(let a): walk(a)
            case .and(let a, let b), .or(let a, let b): walk(a); walk(b)
            }
        }
        walk(root)
        return out
    }
}

// MARK: - Evaluation

extension DomainExpression {
    /// Three-valued truth of a row.
    public enum Truth: UInt8, Sendable {
        /// The condition is false for the row.
        case no = 0
        /// The condition is true for the row.
        case yes = 1
        /// The condition cannot be decided (a missing value it does not name): the row is left out.
        case unknown = 2
    }

    /// The truth of the expression for every row of `data` (see the type's
    /// documentation for the missing-value rules).
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)`` for a
    ///   variable not in `data`; ``BarometerError/invalidExpression(expression:offset:token:reason:)``
    ///   for a label the variable does not have, a range or order comparison
    ///   on a string variable, or `is dk` / `is refused` on a variable whose
    ///   codebook marks no such code.
    public func truth(in data: Dataset) throws(BarometerError) -> [Truth] {
        try evaluate(root, data)
    }

    /// The domain of rows where the expression is true; its description
    /// uses value labels (``describe(in:)``).
    public func domain(in data: Dataset) throws(BarometerError) -> Domain {
        let t = try truth(in: data)
        return Domain(mask: t.map { $0 == .yes }, description: try describe(in: data))
    }

    private func evaluate(_ node: Node, _ data: Dataset) throws(BarometerError) -> [Truth] {
        switch node {
        case .test(let t): return try evaluate(t, data)
        case .not(let a):
            return try evaluate(a, data).map { $0 == .unknown ? .unknown : ($0 == .yes ? .no : .yes) }
        case .and(let a, let b):
            let x = try evaluate(a, data), y = try evaluate(b, data)
            return zip(x, y).map { p, q in
                if p == .no || q == .no { return .no }
                return p == .yes && q == .yes ? .yes : .unknown
            }
        case .or(let a, let b):
            let x = try evaluate(a, data), y = try evaluate(b, data)
            return zip(x, y).map { p, q in
                if p == .yes || q == .yes { return .yes }
                return p == .no && q == .no ? .no : .unknown
            }
        }
    }

    private func error(_ offset: Int, _ token: String, _ reason: String) -> BarometerError {
        .invalidExpression(expression: text, offset: offset, token: token, reason: reason)
    }

    private func variable(_ t: Test, _ data: Dataset) throws(BarometerError) -> Variable {
        try data.variable(t.variable)
    }

    /// The code a value stands for on a numeric variable: a number is itself;
    /// a text is a value label (exact, else case-insensitive and unique), or
    /// a number written as text.
    private func code(_ v: Value, _ variable: Variable) throws(BarometerError) -> Double {
        switch v.literal {
        case .number(let x): return x
        case .text(let s):
            if let c = variable.valueLabels.first(where: { $0.value == s })?.key { return c }
            let folded = variable.valueLabels.filter { $0.value.lowercased() == s.lowercased() }
            if folded.count == 1, let c = folded.first?.key { return c }
            if let x = Double(s.trimmingCharacters(in: .whitespaces)), x.isFinite { return x }
            let labels = variable.valueLabels.sorted { $0.key < $1.key }
                .map { "\(Variable.formatCode($0.key)) \"\($0.value)\"" }
            let known = labels.isEmpty ? "it has no value labels" : "its labels: " + labels.prefix(12).joined(separator: ", ")
            throw error(v.offset, v.token, "'\(s)' is not a value label of \(variable.name) (\(known))")
        }
    }

    /// The text a value stands for on a string variable.
    private func text(_ v: Value) -> String {
        switch v.literal {
        case .number: return v.token
        case .text(let s): return s
        }
    }

    private func evaluate(_ t: Test, _ data: Dataset) throws(BarometerError) -> [Truth] {
        let v = try variable(t, data)
        switch t.kind {
        case .status(let s, let negated):
            let hit = try statusMask(s, t, v)
            return hit.map { ($0 != negated) ? .yes : .no }
        case .compare(let op, let value):
            if let strings = v.strings {
                guard op == .equal || op == .notEqual else {
                    throw error(t.offset, t.variable, "'\(op.rawValue)' needs a numeric variable; \(v.name) is a string variable (use == , != or in)")
                }
                let s = text(value)
                return strings.map { x in x.isEmpty ? .unknown : ((x == s) == (op == .equal) ? .yes : .no) }
            }
            let c = try code(value, v)
            let missing = v.missing
            return v.values.map { x in
                if x.isNaN { return .unknown }
                if missing.contains(x) {
                    // only a test that names this code explicitly sees it
                    guard x == c, op == .equal || op == .notEqual else { return .unknown }
                    return op == .equal ? .yes : .no
                }
                let r: Bool
                switch op {
                case .equal: r = x == c
                case .notEqual: r = x != c
                case .less: r = x < c
                case .lessOrEqual: r = x <= c
                case .greater: r = x > c
                case .greaterOrEqual: r = x >= c
                }
                return r ? .yes : .no
            }
        case .within(let items, let negated):
            if let strings = v.strings {
                var set = Set<String>()
                for item in items {
                    switch item {
                    case .value(let x): set.insert(text(x))
                    case .range(let a, _):
                        throw error(a.offset, a.token, "a range needs a numeric variable; \(v.name) is a string variable")
                    }
                }
                return strings.map { x in x.isEmpty ? .unknown : (set.contains(x) != negated ? .yes : .no) }
            }
            var codes = Set<Double>(), ranges: [ClosedRange<Double>] = []
            for item in items {
                switch item {
                case .value(let x): codes.insert(try code(x, v))
                case .range(let a, let b):
                    let lo = try code(a, v), hi = try code(b, v)
                    guard lo <= hi else { throw error(a.offset, a.token, "range \(a.token)-\(b.token) is empty (low end above high end)") }
                    ranges.append(lo...hi)
                }
            }
            let missing = v.missing
            return v.values.map { x in
                if x.isNaN { return .unknown }
                if missing.contains(x) {
                    guard codes.contains(x) else { return .unknown }
                    return negated ? .no : .yes
                }
                let hit = codes.contains(x) || ranges.contains { $0.contains(x) }
                return hit != negated ? .yes : .no
            }
        }
    }

    /// Rows of `v` having status `s` (never unknown).
    private func statusMask(_ s: MissingStatus, _ t: Test, _ v: Variable) throws(BarometerError) -> [Bool] {
        if let strings = v.strings {
            switch s {
            case .missing, .sysmis: return strings.map(\.isEmpty)
            case .valid: return strings.map { !$0.isEmpty }
            case .usermissing: return [Bool](repeating: false, count: strings.count)
            case .dk, .refused:
                throw error(t.offset, t.variable, "\(v.name) is a string variable: it has no codes marked \(s == .dk ? "Don't know" : "Refused")")
            }
        }
        switch s {
        case .missing: return v.values.map { $0.isNaN || v.missing.contains($0) }
        case .sysmis: return v.values.map(\.isNaN)
        case .usermissing: return v.values.map { !$0.isNaN && v.missing.contains($0) }
        case .valid: return v.values.map { !$0.isNaN && !v.missing.contains($0) }
        case .dk, .refused:
            let dk = s == .dk
            func matches(_ label: String) -> Bool { dk ? Self.isDontKnowLabel(label) : Self.isRefusedLabel(label) }
            var codes = Set<Double>(), tags = Set<Character>()
            for (code, label) in v.valueLabels where matches(label) { codes.insert(code) }
            for (tag, label) in v.extendedMissingLabels where matches(label) { tags.insert(tag) }
            guard !codes.isEmpty || !tags.isEmpty else {
                let m = v.valueLabels.filter { v.missing.contains($0.key) }.sorted { $0.key < $1.key }
                    .map { "\(Variable.formatCode($0.key)) \"\($0.value)\"" }
                throw error(t.offset, t.variable, "no code of \(v.name) is labelled \(s == .dk ? "Don't know" : "Refused")"
                    + (m.isEmpty ? " (it has no labelled missing codes)" : " (its labelled missing codes: \(m.joined(separator: ", ")))"))
            }
            return v.values.map { x in
                if x.isNaN { return ExtendedMissing.tag(of: x).map { tags.contains($0) } ?? false }
                return codes.contains(x)
            }
        }
    }

    /// Whether a value label means "Don't know".
    public static func isDontKnowLabel(_ label: String) -> Bool {
        let l = normalized(label)
        if l == "dk" || l == "dk/na" || l.hasPrefix("dk ") { return true }
        return ["don't know", "dont know", "do not know", "hard to say", "difficult to say", "difficult to answer",
                "hard to answer", "can't say", "cannot say", "не знаю", "затрудняюсь"].contains { l.contains($0) }
    }

    /// Whether a value label means "Refused".
    public static func isRefusedLabel(_ label: String) -> Bool {
        let l = normalized(label)
        return ["refus", "declin", "отказ"].contains { l.contains($0) }
    }

    private static func normalized(_ s: String) -> String {
        s.lowercased().replacingOccurrences(of: "\u{2019}", with: "'").trimmingCharacters(in: .whitespaces)
    }
}

// MARK: - Description with labels

extension DomainExpression {
    /// The expression in words for output bases, with value labels where the
    /// variable has them: `lang = Kazakh and wave = 2019`.
    /// - Throws: as ``truth(in:)`` (unknown variables and labels).
    public func describe(in data: Dataset) throws(BarometerError) -> String {
        try describe(root, data, parent: 0)
    }

    /// precedence: or 1, and 2, not 3
    private func describe(_ n: Node, _ data: Dataset, parent: Int) throws(BarometerError) -> String {
        switch n {
        case .test(let t): return try describe(t, data)
        case .not(let a):
            let inner = try describe(a, data, parent: 3)
            if case .test = a { return "not (\(inner))" }
            return "not \(inner)"
        case .and(let a, let b):
            let s = "\(try describe(a, data, parent: 2)) and \(try describe(b, data, parent: 2))"
            return parent > 2 ? "(\(s))" : s
        case .or(let a, let b):
            let s = "\(try describe(a, data, parent: 1)) or \(try describe(b, data, parent: 1))"
            return parent > 1 ? "(\(s))" : s
        }
    }

    private func shown(_ value: Value, _ v: Variable) throws(BarometerError) -> String {
        if v.isString { return text(value) }
        return v.displayText(for: try code(value, v))
    }

    private func describe(_ t: Test, _ data: Dataset) throws(BarometerError) -> String {
        let v = try variable(t, data)
        switch t.kind {
        case .compare(let op, let value):
            let symbol = op == .equal ? "=" : op.rawValue
            // labels for (in)equality; codes for order comparisons, where a label would mislead
            let shownValue = op == .equal || op == .notEqual || v.isString
                ? try shown(value, v) : Variable.formatCode(try code(value, v))
            return "\(v.name) \(symbol) \(shownValue)"
        case .within(let items, let negated):
            var parts: [String] = []
            for item in items {
                switch item {
                case .value(let x): parts.append(try shown(x, v))
                case .range(let a, let b):
                    parts.append(v.isString ? "\(a.token)-\(b.token)"
                                 : "\(Variable.formatCode(try code(a, v)))-\(Variable.formatCode(try code(b, v)))")
                }
            }
            return "\(v.name) \(negated ? "not in" : "in") {\(parts.joined(separator: ", "))}"
        case .status(let s, let negated):
            let word: String
            switch s {
            case .missing: word = "missing"
            case .dk: word = "Don't know"
            case .refused: word = "Refused"
            case .sysmis: word = "system-missing"
            case .usermissing: word = "user-missing"
            case .valid: word = "valid"
            }
            return "\(v.name) is \(negated ? "not " : "")\(word)"
        }
    }
}

// MARK: - Derived grouping variables

extension DomainExpression {
    /// A 0/1 variable named `name`: 1 where the expression is true, 0 where
    /// false, system-missing where unknown; labelled 1 = the expression in
    /// words, 0 = "not (…)". Used to group by a condition (`--by 'age > 30'`)
    /// or to count a condition as the answer of a share.
    public func indicator(in data: Dataset, name: String) throws(BarometerError) -> Variable {
        let t = try truth(in: data)
        let words = try describe(in: data)
        return Variable(name: name, label: words, level: .nominal,
                        values: t.map { $0 == .unknown ? .nan : ($0 == .yes ? 1 : 0) },
                        valueLabels: [1: words, 0: "not (\(words))"])
    }

    /// When the expression is a single `VAR in codes` or `VAR == code` test on
    /// a numeric variable naming codes only (no ranges, order comparisons,
    /// negations or statuses), that variable and its codes: the form the
    /// code-set estimators (``ConditionalShare``, ``ShareTable``) take directly.
    public func codeSet(in data: Dataset) throws(BarometerError) -> (variable: String, codes: Set<Double>)? {
        guard case .test(let t) = root else { return nil }
        let v = try variable(t, data)
        guard !v.isString else { return nil }
        switch t.kind {
        case .compare(.equal, let x): return (v.name, [try code(x, v)])
        case .within(let items, negated: false):
            var codes = Set<Double>()
            for item in items {
                guard case .value(let x) = item else { return nil }
                codes.insert(try code(x, v))
            }
            return (v.name, codes)
        default: return nil
        }
    }
}

extension SurveyDesign {
    /// The domain where `expression` (``DomainExpression`` syntax) is true,
    /// over all rows of the design (rows outside it stay in the design, as
    /// R `subset(design, …)`).
    /// - Throws: the parse and evaluation errors of ``DomainExpression``.
    public func domain(where expression: String) throws(BarometerError) -> Domain {
        try DomainExpression(expression).domain(in: data)
    }
}

// MARK: - Lexer and parser

private struct Token: Equatable {
    enum Kind: Equatable { case name, quotedName, number, string, symbol }
    let kind: Kind
    /// Text of a name/number/symbol; the unescaped content of a string.
    let text: String
    /// The token as written.
    let raw: String
    let offset: Int
    var keyword: String? { kind == .name ? text.lowercased() : nil }
}

private enum Lexer {
    static func tokens(_ text: String) throws(BarometerError) -> [Token] {
        let c = Array(text)
        var out: [Token] = []
        var i = 0
        func fail(_ at: Int, _ raw: String, _ reason: String) -> BarometerError {
            .invalidExpression(expression: text, offset: at, token: raw, reason: reason)
        }
        func isNameStart(_ ch: Character) -> Bool { ch.isLetter || ch == "_" || ch == "$" || ch == "@" }
        func isNamePart(_ ch: Character) -> Bool { ch.isLetter || ch.isNumber || ch == "_" || ch == "." || ch == "$" || ch == "@" }
        while i < c.count {
            let ch = c[i]
            if ch.isWhitespace { i += 1; continue }
            let start = i
            if isNameStart(ch) {
                while i < c.count, isNamePart(c[i]) { i += 1 }
                let s = String(c[start..<i])
                out.append(Token(kind: .name, text: s, raw: s, offset: start))
            } else if ch.isASCII && (ch.isNumber || (ch == "." && i + 1 < c.count && c[i + 1].isASCII && c[i + 1].isNumber)) {
                while i < c.count, c[i].isASCII, c[i].isNumber || c[i] == "." { i += 1 }
                if i < c.count, c[i] == "e" || c[i] == "E" {
                    var j = i + 1
                    if j < c.count, c[j] == "+" || c[j] == "-" { j += 1 }
                    if j < c.count, c[j].isASCII, c[j].isNumber {
                        i = j
                        while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
                    }
                }
                let s = String(c[start..<i])
                guard Double(s) != nil else { throw fail(start, s, "'\(s)' is not a number") }
                if i < c.count, isNameStart(c[i]) {
                    var j = i
                    while j < c.count, isNamePart(c[j]) { j += 1 }
                    let raw = String(c[start..<j])
                    throw fail(start, raw, "'\(raw)' is neither a number nor a name (quote a label: \"\(raw)\")")
                }
                out.append(Token(kind: .number, text: s, raw: s, offset: start))
            } else if ch == "\"" || ch == "'" || ch == "`" || ch == "\u{201C}" || ch == "\u{2018}" {
                let close: Character = ch == "\u{201C}" ? "\u{201D}" : (ch == "\u{2018}" ? "\u{2019}" : ch)
                var s = ""
                i += 1
                var closed = false
                while i < c.count {
                    if c[i] == "\\", i + 1 < c.count { s.append(c[i + 1]); i += 2; continue }
                    if c[i] == close {
                        if i + 1 < c.count, c[i + 1] == close { s.append(close); i += 2; continue }   // doubled quote
                        closed = true; i += 1; break
                    }
                    s.append(c[i]); i += 1
                }
                guard closed else { throw fail(start, String(c[start...]), "unterminated quoted text (no closing \(close))") }
                out.append(Token(kind: ch == "`" ? .quotedName : .string, text: s, raw: String(c[start..<i]), offset: start))
            } else {
                let two = i + 1 < c.count ? String(c[i...i + 1]) : ""
                if ["==", "!=", "<>", "<=", ">=", "&&", "||", "=<", "=>"].contains(two) {
                    let normal = ["<>": "!=", "=<": "<=", "=>": ">="][two] ?? two
                    out.append(Token(kind: .symbol, text: normal, raw: two, offset: start)); i += 2
                } else if "=<>!&|(){},-:~≠≤≥".contains(ch) {
                    let normal = ["≠": "!=", "≤": "<=", "≥": ">=", "~": "!"][String(ch)] ?? String(ch)
                    out.append(Token(kind: .symbol, text: normal, raw: String(ch), offset: start)); i += 1
                } else {
                    throw fail(start, String(ch), "unexpected character '\(ch)'")
                }
            }
        }
        return out
    }
}

private struct Parser {
    let text: String
    let tokens: [Token]
    var position = 0

    init(text: String, tokens: [Token]) { self.text = text; self.tokens = tokens }

    var peek: Token? { position < tokens.count ? tokens[position] : nil }

    func error(_ t: Token?, _ reason: String) -> BarometerError {
        guard let t else {
            return .invalidExpression(expression: text, offset: text.count, token: "", reason: reason)
        }
        return .invalidExpression(expression: text, offset: t.offset, token: t.raw, reason: reason)
    }

    func isSymbol(_ s: String) -> Bool { peek.map { $0.kind == .symbol && $0.text == s } ?? false }
    func isKeyword(_ s: String) -> Bool { peek?.keyword == s }

    mutating func next() -> Token? {
        defer { position += 1 }
        return peek
    }

    /// Most `and`/`or` operators in one expression (Stata's limit on dyadic
    /// operators in an expression).
    static let maximumOperators = DomainExpression.maximumOperators
    /// Most nested `(` and `not` (Stata's limit on nested parentheses).
    static let maximumNesting = DomainExpression.maximumNesting
    /// `and`/`or` operators so far, and the current nesting of `(` and `not`.
    var operators = 0
    var nesting = 0

    /// Counts one `and`/`or` at the current token.
    mutating func binaryOperator() throws(BarometerError) {
        operators += 1
        guard operators <= Self.maximumOperators else {
            throw error(peek, "more than \(Self.maximumOperators) 'and'/'or' operators in one expression (use 'in' for a list of codes)")
        }
        position += 1
    }

    /// Enters one level of `(` or `not` at the current token.
    mutating func nest() throws(BarometerError) {
        nesting += 1
        guard nesting <= Self.maximumNesting else {
            throw error(peek, "more than \(Self.maximumNesting) nested parentheses and 'not'")
        }
        position += 1
    }

    mutating func expression() throws(BarometerError) -> DomainExpression.Node {
        var left = try conjunction()
        while isKeyword("or") || isSymbol("|") || isSymbol("||") {
            try binaryOperator()
            left = .or(left, try conjunction())
        }
        return left
    }

    mutating func conjunction() throws(BarometerError) -> DomainExpression.Node {
        var left = try unary()
        while isKeyword("and") || isSymbol("&") || isSymbol("&&") {
            try binaryOperator()
            left = .and(left, try unary())
        }
        return left
    }

    mutating func unary() throws(BarometerError) -> DomainExpression.Node {
        if isKeyword("not") || isSymbol("!") {
            try nest()
            defer { nesting -= 1 }
            return .not(try unary())
        }
        if isSymbol("(") {
            let open = peek
            try nest()
            defer { nesting -= 1 }
            let inner = try expression()
            guard isSymbol(")") else {
                throw error(peek, peek == nil ? "missing ')' for the '(' at column \((open?.offset ?? 0) + 1)" : "expected ')'")
            }
            position += 1
            return inner
        }
        return .test(try test())
    }

    static let keywords: Set<String> = ["and", "or", "not", "in", "is", "thru", "through", "to"]

    mutating func test() throws(BarometerError) -> DomainExpression.Test {
        guard let name = peek else { throw error(nil, "expected a variable name") }
        guard name.kind == .name || name.kind == .quotedName, !(name.kind == .name && Self.keywords.contains(name.text.lowercased())) else {
            throw error(name, "expected a variable name")
        }
        position += 1
        let variable = name.text
        guard let op = peek else { throw error(nil, "expected a comparison (==, !=, <, <=, >, >=), 'in' or 'is' after \(variable)") }
        if op.keyword == "is" {
            position += 1
            var negated = false
            if isKeyword("not") { negated = true; position += 1 }
            guard let s = next(), s.kind == .name else {
                throw error(tokens.indices.contains(position - 1) ? tokens[position - 1] : nil,
                            "expected a status after 'is': missing, dk, refused, sysmis, usermissing or valid")
            }
            let words: [String: DomainExpression.MissingStatus] = [
                "missing": .missing, "na": .missing, "dk": .dk, "dontknow": .dk, "refused": .refused,
                "sysmis": .sysmis, "sysmiss": .sysmis, "usermissing": .usermissing, "usermis": .usermissing, "valid": .valid]
            guard let status = words[s.text.lowercased()] else {
                throw error(s, "unknown status '\(s.raw)'; expected missing, dk, refused, sysmis, usermissing or valid")
            }
            return DomainExpression.Test(variable: variable, offset: name.offset, kind: .status(status, negated: negated))
        }
        var negatedIn = false
        if op.keyword == "not" {
            position += 1
            guard isKeyword("in") else { throw error(peek, "expected 'in' after 'not'") }
            negatedIn = true
        }
        if isKeyword("in") {
            position += 1
            return DomainExpression.Test(variable: variable, offset: name.offset, kind: .within(try list(), negated: negatedIn))
        }
        guard op.kind == .symbol, let comparison = Self.comparison(op.text) else {
            throw error(op, "expected a comparison (==, !=, <, <=, >, >=), 'in' or 'is' after \(variable)")
        }
        position += 1
        let v = try value()
        // `VAR = 1,2` and `VAR == 1-3` read as `VAR in …`
        if comparison == .equal, isSymbol(",") || isSymbol("-") || isKeyword("thru") || isKeyword("through") || isKeyword("to") || isSymbol(":") {
            var items = [try rest(of: v)]
            while isSymbol(",") { position += 1; items.append(try item()) }
            return DomainExpression.Test(variable: variable, offset: name.offset, kind: .within(items, negated: false))
        }
        return DomainExpression.Test(variable: variable, offset: name.offset, kind: .compare(comparison, v))
    }

    static func comparison(_ s: String) -> DomainExpression.Comparison? {
        switch s {
        case "==", "=": return .equal
        case "!=": return .notEqual
        case "<": return .less
        case "<=": return .lessOrEqual
        case ">": return .greater
        case ">=": return .greaterOrEqual
        default: return nil
        }
    }

    mutating func list() throws(BarometerError) -> [DomainExpression.Item] {
        var close: String? = nil
        if isSymbol("(") { close = ")"; position += 1 } else if isSymbol("{") { close = "}"; position += 1 }
        var items = [try item()]
        while isSymbol(",") { position += 1; items.append(try item()) }
        if let close {
            guard isSymbol(close) else { throw error(peek, "expected ',' or '\(close)' in the list") }
            position += 1
        }
        return items
    }

    mutating func item() throws(BarometerError) -> DomainExpression.Item {
        try rest(of: try value())
    }

    mutating func rest(of low: DomainExpression.Value) throws(BarometerError) -> DomainExpression.Item {
        if isSymbol("-") || isSymbol(":") || isKeyword("thru") || isKeyword("through") || isKeyword("to") {
            position += 1
            return .range(low, try value())
        }
        return .value(low)
    }

    mutating func value() throws(BarometerError) -> DomainExpression.Value {
        guard let t = peek else { throw error(nil, "expected a value (a number, a quoted label or text)") }
        switch t.kind {
        case .number:
            position += 1
            return .init(literal: .number(Double(t.text) ?? .nan), token: t.raw, offset: t.offset)
        case .string:
            position += 1
            return .init(literal: .text(t.text), token: t.raw, offset: t.offset)
        case .name where !Self.keywords.contains(t.text.lowercased()):
            position += 1
            return .init(literal: .text(t.text), token: t.raw, offset: t.offset)
        case .symbol where t.text == "-":
            position += 1
            guard let n = peek, n.kind == .number else { throw error(peek ?? t, "expected a number after '-'") }
            position += 1
            return .init(literal: .number(-(Double(n.text) ?? .nan)), token: "-" + n.raw, offset: t.offset)
        default:
            throw error(t, "expected a value (a number, a quoted label or text)")
        }
    }
}
