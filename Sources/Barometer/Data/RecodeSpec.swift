/// A recode of one numeric variable into a new (or the same) variable, as SPSS
/// `RECODE age (18 THRU 29=1) (30 THRU 44=2) (ELSE=SYSMIS) INTO ageband` or R
/// `cut(age, c(17, 29, 44, 120))` on whole numbers.
///
/// Text form (CLI `--recode`, recode files, ``init(parsing:)``):
///
///     age: 18-29=1 "18-29", 30-44=2 "30-44", 45-hi=3 "45+", else=sysmis -> ageband "Age band"
///     q1: 1 2=1 "Favourable", 3 4=2 "Unfavourable", 8 9=9 "No answer" missing -> q1fav
///
/// - `SOURCE: RULE, RULE, … [-> TARGET ["variable label"]]`; without `->` the source is
///   recoded in place. Names as in ``DomainExpression`` (letters, digits, `_ . $ @`, or back-quoted).
/// - A rule is `ITEMS = CODE ["value label"] [missing]` or `ITEMS = sysmis`; its items (separated by
///   spaces) are numbers, closed ranges `a-b` (`a thru b`, `a to b`, `a:b`; `lo`/`lowest` and
///   `hi`/`highest` for open ends), `missing` (any user- or system-missing value) and `sysmis`.
///   `missing` after the code declares the new code user-missing.
/// - `else = sysmis` (the default, as SPSS `RECODE … INTO`), `else = copy` (keep the value and its
///   label) or `else = CODE ["label"]` says what happens to a valid value no rule names.
///
/// Semantics (each value, first matching rule wins, as SPSS `RECODE`):
/// - ranges are closed, `a ≤ x ≤ b` (SPSS `THRU`; R `cut(right = TRUE)` with breaks `a − 1, b` agrees
///   on whole numbers);
/// - ranges and `else` never select user-missing codes (Don't know, Refused): a rule selects them
///   only by naming the code or `missing`, as `--where` does; an unnamed user-missing code keeps its
///   code, label and missing status, so "Don't know" survives a recode (Barometer's choice; SPSS would
///   make it system-missing in a new variable);
/// - system-missing stays system-missing unless a rule names `sysmis` or `missing`.
///
/// Cost: O(n · rules) for n respondents. Parse errors are
/// ``BarometerError/invalidExpression(expression:offset:token:reason:)`` pointing at the token.
public struct RecodeSpec: Sendable, Equatable, Codable, CustomStringConvertible {
    /// What a rule's left-hand side selects.
    public enum Item: Sendable, Equatable, Codable {
        /// One code.
        case value(Double)
        /// A closed range `lower ≤ x ≤ upper`; nil is open (`lo`, `hi`). Valid values only.
        case range(lower: Double?, upper: Double?)
        /// Any user-missing or system-missing value.
        case missing
        /// System-missing (including Stata/SAS extended missing values).
        case systemMissing
    }

    /// One rule: the items it selects and the new code (nil: system-missing).
    public struct Rule: Sendable, Equatable, Codable {
        /// The values this rule selects.
        public var items: [Item]
        /// The new code; nil makes the values system-missing.
        public var code: Double?
        /// The new code's value label.
        public var label: String?
        /// Whether the new code is declared user-missing.
        public var isMissing: Bool

        /// A rule mapping `items` to `code` (nil: system-missing) with an optional label.
        public init(_ items: [Item], to code: Double?, label: String? = nil, isMissing: Bool = false) {
            self.items = items
            self.code = code
            self.label = label
            self.isMissing = isMissing
        }
    }

    /// What happens to a valid value no rule selects.
    public enum Otherwise: Sendable, Equatable, Codable {
        /// It becomes system-missing (SPSS `ELSE=SYSMIS`, the default of `RECODE … INTO`).
        case systemMissing
        /// It is kept with its label (SPSS `ELSE=COPY`).
        case copy
        /// It becomes `code`, labelled `label`.
        case code(Double, label: String?)
    }

    /// The variable read.
    public var source: String
    /// The variable written (equal to ``source`` for an in-place recode).
    public var target: String
    /// The new variable's label (nil: the source's label, with "(recoded)").
    public var targetLabel: String?
    /// The rules, in order; the first that selects a value applies.
    public var rules: [Rule]
    /// What happens to valid values no rule selects.
    public var otherwise: Otherwise

    /// A recode of `source` into `target` (nil: in place).
    public init(source: String, into target: String? = nil, rules: [Rule], otherwise: Otherwise = .systemMissing,
                targetLabel: String? = nil) {
        self.source = source
        self.target = target ?? source
        self.targetLabel = targetLabel
        self.rules = rules
        self.otherwise = otherwise
    }

    /// The variables the recode reads (for loaders that read only the needed columns).
    public var variablesRead: [String] { [source] }
    /// The variable it writes.
    public var variableWritten: String { target }

    /// The text form, which ``init(parsing:)`` reads back to an equal value.
    public var description: String {
        func name(_ s: String) -> String {
            let plain = !s.isEmpty && s.first.map { $0.isLetter || "_$@".contains($0) } == true
                && s.allSatisfy { $0.isLetter || $0.isNumber || "_.$@".contains($0) }
                && !RecodeParser.keywords.contains(s.lowercased())
            return plain ? s : "`" + s.replacingOccurrences(of: "`", with: "``") + "`"
        }
        func number(_ x: Double) -> String { Variable.formatCode(x) }
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        func item(_ i: Item) -> String {
            switch i {
            case .value(let x): return number(x)
            case .range(let a, let b): return "\(a.map(number) ?? "lo") thru \(b.map(number) ?? "hi")"
            case .missing: return "missing"
            case .systemMissing: return "sysmis"
            }
        }
        var parts: [String] = rules.map { r in
            let lhs = r.items.map(item).joined(separator: " ")
            guard let c = r.code else { return "\(lhs)=sysmis" }
            return "\(lhs)=\(number(c))" + (r.label.map { " " + quoted($0) } ?? "") + (r.isMissing ? " missing" : "")
        }
        switch otherwise {
        case .systemMissing: if rules.isEmpty { parts.append("else=sysmis") }  // a recode of `else` alone
        case .copy: parts.append("else=copy")
        case .code(let c, let l): parts.append("else=\(number(c))" + (l.map { " " + quoted($0) } ?? ""))
        }
        var text = "\(name(source)): " + parts.joined(separator: ", ")
        if target != source || targetLabel != nil { text += " -> \(name(target))" + (targetLabel.map { " " + quoted($0) } ?? "") }
        return text
    }

    /// Parses the text form (see the type's documentation).
    /// - Throws: ``BarometerError/invalidExpression(expression:offset:token:reason:)`` naming the
    ///   column and the token; ``BarometerError/sizeLimitExceeded(what:size:limit:)`` beyond 10,000 characters.
    public init(parsing text: String) throws(BarometerError) {
        var parser = try RecodeParser(text)
        self = try parser.spec()
    }

    /// Parses a recode file: one recode per line, blank lines and lines starting with `#` skipped.
    /// - Throws: the errors of ``init(parsing:)``, the reason prefixed with `line N`.
    public static func parseFile(_ text: String) throws(BarometerError) -> [RecodeSpec] {
        var out: [RecodeSpec] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            let t = line.drop(while: \.isWhitespace)
            if t.isEmpty || t.first == "#" { continue }
            do { out.append(try RecodeSpec(parsing: line)) } catch {
                if case .invalidExpression(let e, let o, let tok, let r) = error {
                    throw .invalidExpression(expression: e, offset: o, token: tok, reason: "line \(i + 1): \(r)")
                }
                throw error
            }
        }
        return out
    }

    /// The rule index selecting `x` of `variable` (nil: none).
    private func rule(for x: Double, status: ValueStatus) -> Int? {
        for (k, r) in rules.enumerated() {
            for item in r.items {
                switch item {
                case .value(let c): if status != .systemMissing && c == x { return k }
                case .range(let a, let b):
                    if status == .valid && (a.map { x >= $0 } ?? true) && (b.map { x <= $0 } ?? true) { return k }
                case .missing: if status != .valid { return k }
                case .systemMissing: if status == .systemMissing { return k }
                }
            }
        }
        return nil
    }

    /// Applies the recode to `variable` (its ``source``), returning the new variable named ``target``.
    ///
    /// Value labels: each rule's label for its code; with `else = copy` the labels of the copied
    /// codes; user-missing codes kept as they were keep their labels and missing status.
    /// - Throws: ``BarometerError/notNumeric(variable:)`` for a string variable;
    ///   ``BarometerError/invalidArgument(_:)`` when a new code collides with a kept user-missing
    ///   code or is given two different labels.
    public func apply(to variable: Variable) throws(BarometerError) -> Variable {
        try variable.requireNumeric()
        var values = [Double](repeating: .nan, count: variable.count)
        var keptMissing = Set<Double>()
        var copied = Set<Double>()
        for (i, x) in variable.values.enumerated() {
            let status = variable.status(of: x)
            if let k = rule(for: x, status: status) {
                values[i] = rules[k].code ?? .nan
            } else if status == .userMissing {
                values[i] = x
                keptMissing.insert(x)
            } else if status == .valid {
                switch otherwise {
                case .systemMissing: values[i] = .nan
                case .copy: values[i] = x; copied.insert(x)
                case .code(let c, _): values[i] = c
                }
            } else {
                values[i] = x            // system-missing stays (extended-missing tags kept)
            }
        }
        var labels: [Double: String] = [:]
        var newMissing = MissingValues()
        func setLabel(_ code: Double, _ text: String, _ what: String) throws(BarometerError) {
            if let old = labels[code], old != text {
                throw .invalidArgument("recode of '\(source)': code \(Variable.formatCode(code)) is labelled both '\(old)' and '\(text)' (\(what))")
            }
            labels[code] = text
        }
        for code in keptMissing {
            newMissing.insert(code)
            if let l = variable.valueLabels[code] { labels[code] = l }
        }
        if case .copy = otherwise {
            for (code, l) in variable.valueLabels where !variable.missing.contains(code) { labels[code] = l }
        }
        for r in rules {
            guard let c = r.code else { continue }
            if keptMissing.contains(c) && !r.isMissing {
                throw .invalidArgument("recode of '\(source)': new code \(Variable.formatCode(c)) collides with the kept user-missing code \(Variable.formatCode(c)); name it in a rule")
            }
            if let l = r.label { try setLabel(c, l, "rule") }
            if r.isMissing { newMissing.insert(c) }
        }
        if case .code(let c, let l) = otherwise, let l { try setLabel(c, l, "else") }
        let hasRanges = rules.contains { $0.items.contains { if case .range = $0 { return true } else { return false } } }
        var out = Variable(name: target, label: targetLabel ?? "\(variable.label ?? variable.name) (recoded)",
                           level: hasRanges ? .ordinal : variable.level, values: values,
                           valueLabels: labels, missing: newMissing, format: nil)
        out.extendedMissingLabels = variable.extendedMissingLabels
        return out
    }
}

extension Dataset {
    /// Applies `recode`: adds its target variable, or replaces it (an in-place recode, or a target
    /// that already exists).
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)`` for the source and the errors
    ///   of ``RecodeSpec/apply(to:)``.
    public mutating func apply(_ recode: RecodeSpec) throws(BarometerError) {
        try replace(try recode.apply(to: try variable(recode.source)))
    }
}

extension SurveyDesign {
    /// The same design with `variables` added to (or replacing those of the same name in) its data,
    /// as R `update(design, newvar = …)`: weights, strata, PSUs, fpc, replicate weights and
    /// calibration are kept, so every estimator sees the new variables under the same design.
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)`` for a variable of
    ///   another length; ``BarometerError/invalidArgument(_:)`` when a variable would replace the
    ///   weight or a replicate-weight column (build a new design to change weights).
    public func updating(adding variables: Variable...) throws(BarometerError) -> SurveyDesign {
        try updating(adding: variables)
    }

    /// The same design with `variables` added or replaced (see ``updating(adding:)-(Variable...)``).
    public func updating(adding variables: [Variable]) throws(BarometerError) -> SurveyDesign {
        var data = self.data
        let protected = Set([weights.name].compactMap { $0 } + (replicates?.names ?? []))
        for v in variables {
            if protected.contains(v.name) {
                throw .invalidArgument("'\(v.name)' is a weight of the design; build a new SurveyDesign to change weights")
            }
            try data.replace(v)
        }
        var out = SurveyDesign(data: data, weights: weights, sampling: sampling, replicates: replicates)
        out.calibration = calibration
        return out
    }

    /// The same design with `recode` applied to its data (R `update(design, ageband = cut(age, …))`).
    /// - Throws: the errors of ``Dataset/apply(_:)`` and ``updating(adding:)-([Variable])``.
    public func recoding(_ recode: RecodeSpec) throws(BarometerError) -> SurveyDesign {
        try updating(adding: [try recode.apply(to: try data.variable(recode.source))])
    }

    /// The same design with `source` recoded into `target` by `rules` (see ``RecodeSpec``).
    public func recoding(_ source: String, into target: String, _ rules: [RecodeSpec.Rule],
                         otherwise: RecodeSpec.Otherwise = .systemMissing, label: String? = nil) throws(BarometerError) -> SurveyDesign {
        try recoding(RecodeSpec(source: source, into: target, rules: rules, otherwise: otherwise, targetLabel: label))
    }

    /// The same design with a computed variable `name` = `formula(values of inputs)` per respondent
    /// (R `update(design, bmi = weight / height^2)`). A respondent with a missing input (user- or
    /// system-missing) gets system-missing, and so does a non-finite result.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``, ``BarometerError/notNumeric(variable:)``
    ///   for an input, and the errors of ``updating(adding:)-([Variable])``.
    public func computing(_ name: String, label: String? = nil, from inputs: [String],
                          _ formula: ([Double]) -> Double) throws(BarometerError) -> SurveyDesign {
        var columns: [Variable] = []
        for n in inputs {
            let v = try data.variable(n)
            try v.requireNumeric()
            columns.append(v)
        }
        var values = [Double](repeating: .nan, count: rowCount)
        var row = [Double](repeating: 0, count: columns.count)
        for i in 0..<rowCount {
            var ok = true
            for (k, v) in columns.enumerated() {
                let x = v.values[i]
                if v.status(of: x) != .valid { ok = false; break }
                row[k] = x
            }
            guard ok else { continue }
            let y = formula(row)
            if y.isFinite { values[i] = y }
        }
        return try updating(adding: [Variable(name: name, label: label, level: .scale, values: values)])
    }
}

/// The recode text parser (character offsets for errors).
struct RecodeParser {
    static let keywords: Set<String> = ["lo", "lowest", "hi", "highest", "thru", "to", "missing", "sysmis", "else", "copy", "into"]
    static let maxLength = 10_000

    let text: String
    let chars: [Character]
    var i = 0

    init(_ text: String) throws(BarometerError) {
        let chars = Array(text)
        guard chars.count <= Self.maxLength else {
            throw .sizeLimitExceeded(what: "recode specification (characters)", size: chars.count, limit: Self.maxLength)
        }
        self.text = text
        self.chars = chars
    }

    // Keyword sets, made once (a set literal at each call allocated per token).
    static let rangeWords: Set<String> = ["thru", "to"]
    static let itemWords: Set<String> = ["missing", "sysmis", "lo", "lowest"]
    static let highWords: Set<String> = ["hi", "highest"]
    static let elseWord: Set<String> = ["else"]
    static let otherwiseWords: Set<String> = ["copy", "sysmis"]
    static let sysmisWord: Set<String> = ["sysmis"]
    static let missingWord: Set<String> = ["missing"]
    static let intoWord: Set<String> = ["into"]

    func fail(_ at: Int, _ token: String, _ reason: String) -> BarometerError {
        .invalidExpression(expression: text, offset: at, token: token, reason: reason)
    }

    mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    /// The token at `at` for an error message (a word, a number or one character).
    func tokenText(at position: Int) -> String {
        let at = position
        guard at < chars.count else { return "" }
        if chars[at] == "-", at + 1 < chars.count, chars[at + 1] == ">" { return "->" }
        var j = at
        if chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." {
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || "_.$@".contains(chars[j]) { j += 1 }
            return String(chars[at..<j])
        }
        return String(chars[at])
    }

    func peekWord() -> String? {
        var j = i
        guard j < chars.count, chars[j].isLetter else { return nil }
        while j < chars.count, chars[j].isLetter { j += 1 }
        if j < chars.count, chars[j].isNumber || "_.$@".contains(chars[j]) { return nil }
        return String(chars[i..<j]).lowercased()
    }

    mutating func keyword(_ words: Set<String>) -> String? {
        skipSpace()
        guard let w = peekWord(), words.contains(w) else { return nil }
        i += w.count
        return w
    }

    mutating func symbol(_ s: String) -> Bool {
        skipSpace()
        var j = i
        for ch in s {
            guard j < chars.count, chars[j] == ch else { return false }
            j += 1
        }
        i = j
        return true
    }

    mutating func name(_ what: String) throws(BarometerError) -> String {
        skipSpace()
        guard i < chars.count else { throw fail(i, "", "expected \(what)") }
        if chars[i] == "`" {
            let start = i
            i += 1
            var out = ""
            while true {
                guard i < chars.count else { throw fail(start, "`", "unterminated back-quoted name") }
                if chars[i] == "`" {
                    if i + 1 < chars.count, chars[i + 1] == "`" { out.append("`"); i += 2; continue }
                    i += 1
                    break
                }
                out.append(chars[i]); i += 1
            }
            guard !out.isEmpty else { throw fail(start, "``", "empty name") }
            return out
        }
        guard chars[i].isLetter || "_$@".contains(chars[i]) else { throw fail(i, tokenText(at: i), "expected \(what)") }
        let start = i
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || "_.$@".contains(chars[i]) { i += 1 }
        return String(chars[start..<i])
    }

    mutating func number(_ what: String) throws(BarometerError) -> Double {
        skipSpace()
        let start = i
        if i < chars.count, chars[i] == "-" || chars[i] == "+" { i += 1 }
        while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            if j < chars.count, chars[j] == "-" || chars[j] == "+" { j += 1 }
            if j < chars.count, chars[j].isNumber {
                i = j
                while i < chars.count, chars[i].isNumber { i += 1 }
            }
        }
        let s = String(chars[start..<i])
        guard let x = Double(s), x.isFinite, s.contains(where: \.isNumber) else {
            i = start
            throw fail(start, tokenText(at: start), "expected \(what)")
        }
        return x
    }

    mutating func quoted() throws(BarometerError) -> String? {
        skipSpace()
        guard i < chars.count, chars[i] == "\"" || chars[i] == "'" else { return nil }
        let q = chars[i], start = i
        i += 1
        var out = ""
        while true {
            guard i < chars.count else { throw fail(start, String(q), "unterminated label") }
            if chars[i] == q {
                if i + 1 < chars.count, chars[i + 1] == q { out.append(q); i += 2; continue }
                i += 1
                return out
            }
            out.append(chars[i]); i += 1
        }
    }

    func atNumber() -> Bool {
        var j = i
        if j < chars.count, chars[j] == "-" || chars[j] == "+" { j += 1 }
        if j < chars.count, chars[j] == "." { j += 1 }
        return j < chars.count && chars[j].isNumber
    }

    mutating func rangeOperator() -> Bool {
        skipSpace()
        if i < chars.count, chars[i] == "-" || chars[i] == ":" {
            // `-` is a range only when not the sign of the next item after a space (`1 -2` is two items).
            if chars[i] == "-", i > 0, chars[i - 1].isWhitespace, i + 1 < chars.count, chars[i + 1].isNumber { return false }
            if chars[i] == "-", i + 1 < chars.count, chars[i + 1] == ">" { return false }
            i += 1
            return true
        }
        return keyword(Self.rangeWords) != nil
    }

    mutating func item() throws(BarometerError) -> RecodeSpec.Item {
        skipSpace()
        let start = i
        if let w = keyword(Self.itemWords) {
            switch w {
            case "missing": return .missing
            case "sysmis": return .systemMissing
            default:
                guard rangeOperator() else { throw fail(i, tokenText(at: i), "expected '-' or 'thru' after '\(w)'") }
                let b = try number("the upper end of the range")
                return .range(lower: nil, upper: b)
            }
        }
        guard atNumber() else { throw fail(start, tokenText(at: start), "expected a code, a range (a-b, lo-b, a-hi), 'missing' or 'sysmis'") }
        let a = try number("a code")
        let save = i
        if rangeOperator() {
            if keyword(Self.highWords) != nil { return .range(lower: a, upper: nil) }
            let at = i
            let b = try number("the upper end of the range")
            guard a <= b else { throw fail(at, tokenText(at: at), "empty range: \(Variable.formatCode(a)) is above \(Variable.formatCode(b))") }
            return .range(lower: a, upper: b)
        }
        i = save
        return .value(a)
    }

    mutating func spec() throws(BarometerError) -> RecodeSpec {
        let source = try name("the variable to recode")
        guard symbol(":") else { skipSpace(); throw fail(i, tokenText(at: i), "expected ':' after the variable name") }
        var rules: [RecodeSpec.Rule] = []
        var otherwise = RecodeSpec.Otherwise.systemMissing
        var sawElse = false
        repeat {
            skipSpace()
            let ruleStart = i
            if keyword(Self.elseWord) != nil {
                guard !sawElse else { throw fail(ruleStart, "else", "'else' given twice") }
                sawElse = true
                guard symbol("=") else { skipSpace(); throw fail(i, tokenText(at: i), "expected '=' after 'else'") }
                if let w = keyword(Self.otherwiseWords) {
                    otherwise = w == "copy" ? .copy : .systemMissing
                } else {
                    let c = try number("a code, 'copy' or 'sysmis'")
                    otherwise = .code(c, label: try quoted())
                }
                continue
            }
            guard !sawElse else { throw fail(ruleStart, tokenText(at: ruleStart), "'else' must be the last rule") }
            var items: [RecodeSpec.Item] = []
            repeat {
                items.append(try item())
                skipSpace()
            } while i < chars.count && chars[i] != "=" && chars[i] != "," && !(chars[i] == "-" && i + 1 < chars.count && chars[i + 1] == ">")
            guard symbol("=") else { throw fail(i, tokenText(at: i), "expected '=' and the new code") }
            if keyword(Self.sysmisWord) != nil {
                rules.append(.init(items, to: nil))
                continue
            }
            let code = try number("the new code (a number or 'sysmis')")
            let label = try quoted()
            let isMissing = keyword(Self.missingWord) != nil
            rules.append(.init(items, to: code, label: label, isMissing: isMissing))
        } while symbol(",")
        guard !rules.isEmpty || sawElse else { throw fail(i, tokenText(at: i), "expected at least one rule") }
        var target: String? = nil
        var targetLabel: String? = nil
        if symbol("->") || keyword(Self.intoWord) != nil {
            target = try name("the new variable's name")
            targetLabel = try quoted()
        }
        skipSpace()
        guard i == chars.count else {
            throw fail(i, tokenText(at: i), "unexpected text (rules are separated by ',' and end with '-> new_name')")
        }
        return RecodeSpec(source: source, into: target, rules: rules, otherwise: otherwise, targetLabel: targetLabel)
    }
}
