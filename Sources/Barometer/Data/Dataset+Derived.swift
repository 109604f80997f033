extension Variable {
    /// A string variable as numeric codes 1…k: its distinct non-empty texts
    /// in ascending order, each labelled by its text; empty text becomes
    /// system-missing. A numeric variable is returned unchanged. Lets the
    /// code-set estimators (``ShareTable``) group by a text variable.
    public func numericCoded() -> Variable {
        guard let strings else { return self }
        let distinct = Set(strings.filter { !$0.isEmpty }).sorted()
        var code: [String: Double] = [:]
        var labels: [Double: String] = [:]
        for (i, s) in distinct.enumerated() { code[s] = Double(i + 1); labels[Double(i + 1)] = s }
        return Variable(name: name, label: label, level: .nominal, values: strings.map { code[$0] ?? .nan },
                        valueLabels: labels)
    }
}

extension Dataset {
    /// The variable a grouping or code-set argument stands for, added to the
    /// dataset when it is derived:
    /// - the name of a variable: that variable (a string variable is replaced
    ///   by its ``Variable/numericCoded()`` form when `numeric` is true);
    /// - a ``DomainExpression`` (`api00 > 700`, `age in 18-29`): a 0/1
    ///   indicator named by the expression's text (``DomainExpression/indicator(in:name:)``:
    ///   1 = true, 0 = false, system-missing = unknown).
    /// - Returns: the name to pass to the estimator.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)`` for a bare
    ///   name that is not a variable, and the errors of ``DomainExpression``.
    public mutating func groupingVariable(_ spec: String, numeric: Bool = false) throws(BarometerError) -> String {
        let name = spec.trimmingCharacters(in: .whitespaces)
        if let v = self[name] {
            if numeric && v.isString { try replace(v.numericCoded()) }
            return name
        }
        if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_.$@".contains($0) }) {
            _ = try variable(name)      // a bare word that is no variable: unknownVariable with suggestions
        }
        let expression = try DomainExpression(name)
        if self[name] == nil { try add(try expression.indicator(in: self, name: name)) }
        return name
    }

    /// A code-set argument (`VAR in 1,2`, `VAR == "Kazakh"`, or any
    /// ``DomainExpression`` such as `api00 > 700`) as a variable and the codes
    /// counted: a plain code set on a numeric variable as is, anything else
    /// as its 0/1 indicator (added to the dataset, named by the text) with code 1.
    public mutating func codeSet(_ spec: String) throws(BarometerError) -> (variable: String, codes: Set<Double>) {
        let expression = try DomainExpression(spec)
        if let set = try expression.codeSet(in: self) { return set }
        let name = spec.trimmingCharacters(in: .whitespaces)
        if self[name] == nil { try add(try expression.indicator(in: self, name: name)) }
        return (name, [1])
    }
}
