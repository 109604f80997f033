/// Codable for the engine's grids, matrices and data.
///
/// Formats (JSON):
/// - ``Matrix``: `{"rows": r, "columns": c, "values": [[row 0], [row 1], …]}`
///   (row-major, as one reads a matrix);
/// - ``TextTable``: `{"title", "headers", "alignments": ["left"|"right"], "rows", "notes"}`;
/// - ``Variable``: name, label, level, format, missing, `valueLabels` as
///   `[{"code", "label"}]`, and either `strings` or `values`, where each value
///   is a number, `null` (system-missing) or the tag string of a Stata/SAS
///   extended missing value (`".a"` … `".z"`, `"._"`), so tags survive;
/// - ``Dataset``: `{"variables": […], "weightVariable": …}`.
extension Matrix: Codable {
    private enum CodingKeys: String, CodingKey { case rows, columns, values }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rows, forKey: .rows)
        try c.encode(columns, forKey: .columns)
        try c.encode((0..<rows).map { i in (0..<columns).map { j in self[i, j] } }, forKey: .values)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let r = try c.decode(Int.self, forKey: .rows), k = try c.decode(Int.self, forKey: .columns)
        let values = try c.decode([[Double]].self, forKey: .values)
        guard r >= 0, k >= 0, values.count == r, values.allSatisfy({ $0.count == k }) else {
            throw DecodingError.dataCorruptedError(forKey: .values, in: c,
                debugDescription: "a \(r) × \(k) matrix needs \(r) rows of \(k) values")
        }
        self.init(rows: r, columns: k)
        for i in 0..<r { for j in 0..<k { self[i, j] = values[i][j] } }
    }
}

extension TextTable: Codable {
    private enum CodingKeys: String, CodingKey { case title, headers, alignments, rows, notes }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encode(headers, forKey: .headers)
        try c.encode(alignments.map { $0 == .left ? "left" : "right" }, forKey: .alignments)
        try c.encode(rows, forKey: .rows)
        try c.encode(notes, forKey: .notes)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let names = try c.decodeIfPresent([String].self, forKey: .alignments)
        var alignments: [Alignment]? = nil
        if let names {
            alignments = try names.map { name in
                switch name {
                case "left": return .left
                case "right": return .right
                default: throw DecodingError.dataCorruptedError(forKey: .alignments, in: c,
                                                                debugDescription: "alignment '\(name)' is neither left nor right")
                }
            }
        }
        self.init(title: try c.decode(String.self, forKey: .title), headers: try c.decode([String].self, forKey: .headers),
                  alignments: alignments, rows: try c.decode([[String]].self, forKey: .rows),
                  notes: try c.decodeIfPresent([String].self, forKey: .notes) ?? [])
    }
}

extension Variable: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, label, level, format, missing, valueLabels, values, strings, extendedMissingLabels
    }
    private struct ValueLabel: Codable { let code: Double; let label: String }

    /// One value: a number, null (system-missing) or an extended-missing tag.
    private enum Cell: Codable {
        case number(Double), missing, tagged(Character)
        init(_ x: Double) {
            if let t = ExtendedMissing.tag(of: x) { self = .tagged(t) }
            else if x.isNaN { self = .missing }
            else { self = .number(x) }
        }
        var value: Double {
            switch self {
            case .number(let x): return x
            case .missing: return .nan
            case .tagged(let t): return ExtendedMissing.value(for: t) ?? .nan
            }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let x): try c.encode(x)
            case .missing: try c.encodeNil()
            case .tagged(let t): try c.encode("." + String(t))
            }
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .missing; return }
            if let s = try? c.decode(String.self), s.count == 2, s.first == ".", let t = s.last,
               ExtendedMissing.value(for: t) != nil {
                self = .tagged(t); return
            }
            self = .number(try c.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(label, forKey: .label)
        try c.encode(level, forKey: .level)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encode(missing, forKey: .missing)
        try c.encode(valueLabels.keys.sorted().map { ValueLabel(code: $0, label: valueLabels[$0] ?? "") }, forKey: .valueLabels)
        if let strings { try c.encode(strings, forKey: .strings) } else { try c.encode(values.map(Cell.init), forKey: .values) }
        if !extendedMissingLabels.isEmpty {
            var labels: [String: String] = [:]
            for (k, v) in extendedMissingLabels { labels[String(k)] = v }
            try c.encode(labels, forKey: .extendedMissingLabels)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .name)
        let label = try c.decodeIfPresent(String.self, forKey: .label)
        if let strings = try c.decodeIfPresent([String].self, forKey: .strings) {
            self.init(name: name, label: label, strings: strings)
        } else {
            var labels: [Double: String] = [:]
            for l in try c.decodeIfPresent([ValueLabel].self, forKey: .valueLabels) ?? [] { labels[l.code] = l.label }
            self.init(name: name, label: label, level: try c.decodeIfPresent(MeasurementLevel.self, forKey: .level) ?? .nominal,
                      values: try c.decode([Cell].self, forKey: .values).map(\.value), valueLabels: labels,
                      missing: try c.decodeIfPresent(MissingValues.self, forKey: .missing) ?? .none,
                      format: try c.decodeIfPresent(String.self, forKey: .format))
        }
        if let level = try c.decodeIfPresent(MeasurementLevel.self, forKey: .level) { self.level = level }
        if let format = try c.decodeIfPresent(String.self, forKey: .format) { self.format = format }
        if let labels = try c.decodeIfPresent([String: String].self, forKey: .extendedMissingLabels) {
            for (k, v) in labels { if let ch = k.first, k.count == 1 { extendedMissingLabels[ch] = v } }
        }
    }
}

extension Dataset: Codable {
    private enum CodingKeys: String, CodingKey { case variables, weightVariable }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variables, forKey: .variables)
        try c.encodeIfPresent(weightVariable, forKey: .weightVariable)
    }

    /// Decodes and validates like ``init(variables:weightVariable:)`` (equal
    /// lengths, unique names, a weight among the variables).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(variables: try c.decode([Variable].self, forKey: .variables),
                      weightVariable: try c.decodeIfPresent(String.self, forKey: .weightVariable))
    }
}
