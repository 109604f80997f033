import ArgumentParser
import Barometer
import BarometerIO
import Foundation

/// The variables a command reads, so that only those are loaded
/// (`DatasetLoader.load(…, columns:)`): memory follows the question, not the
/// file (issue 16). Every estimating command lists its analysis variables,
/// weight, design variables (strata, PSU, fpc, replicate weights), `--where`
/// and `--by` variables; a specification it cannot resolve without the data
/// (an expression that does not parse) makes it load every column, so that
/// the command then reports the problem exactly as before.
struct ColumnNeeds {
    /// Names that must exist (an unknown one is an error naming the file).
    private(set) var names: Set<String> = []
    /// Names kept when the file has them (claims' variables: a claim on a
    /// variable the file lacks is that claim's error, not the run's).
    private(set) var optional: Set<String> = []
    /// Regular expressions (replicate weights): header names matching one are kept.
    private(set) var patterns: [String] = []
    /// Load every column.
    private(set) var all = false

    /// Every column (commands that show or write the whole file).
    static let everything: ColumnNeeds = { var n = ColumnNeeds(); n.all = true; return n }()

    mutating func add(_ name: String?) { if let name { names.insert(name) } }
    mutating func add(_ list: [String]) { names.formUnion(list) }
    mutating func addOptional(_ list: [String]) { optional.formUnion(list) }
    mutating func loadAll() { all = true }

    /// A variable name, or a domain-language condition (`age > 30`, `q1 in 1,2`):
    /// the variables it mentions. Anything else loads every column.
    mutating func add(spec: String?) {
        guard let spec else { return }
        let name = spec.trimmingCharacters(in: .whitespaces)
        if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_.$@".contains($0) }) {
            names.insert(name)
        } else if let e = try? DomainExpression(name) {
            names.formUnion(e.variables)
        } else {
            all = true
        }
    }

    /// A domain expression: its variables (one that does not parse loads every column).
    mutating func add(expression: String?) {
        guard let expression else { return }
        if let e = try? DomainExpression(expression) { names.formUnion(e.variables) } else { all = true }
    }

    /// A model formula: its variables (one that does not parse loads every column).
    mutating func add(formula: String) {
        if let f = try? ModelFormula(parsing: formula) { names.formUnion(f.variables) } else { all = true }
    }

    mutating func add(pattern: String) { patterns.append(pattern) }

    /// Drops names the command makes itself (recoded variables): they are not columns of the file.
    mutating func remove(_ list: [String]) { names.subtract(list); optional.subtract(list) }

    /// The selection to load for `file`: nil (every column) when `all`, or when
    /// optional names or patterns need the header and it cannot be read first
    /// (standard input).
    func selection(file: String, csv: CSVOptions?, options: ReadStatOptions) -> Set<String>? {
        if all { return nil }
        guard !optional.isEmpty || !patterns.isEmpty else { return names.isEmpty ? nil : names }
        guard let header = try? DatasetLoader.variableNames(file, options: options, csv: csv) else { return nil }
        var out = names.union(optional.intersection(header))
        for p in patterns {
            guard let regex = try? Regex(p) else { return nil }
            out.formUnion(header.filter { $0.firstMatch(of: regex) != nil })
        }
        return out.isEmpty ? nil : out
    }
}

extension DesignOptions {
    /// Strata, PSU, fpc (when it names a variable), replicate weights and the targets' variables.
    func addNeeds(to needs: inout ColumnNeeds) {
        needs.add(strata)
        needs.add(psu)
        if let fpc, Double(fpc) == nil { needs.add(fpc) }
        if let repweights { needs.add(pattern: repweights) }
        if let path = weighting.targets {
            if let t = try? TargetsLoader.load(path) { needs.add(t.margins.flatMap(\.variables)) } else { needs.loadAll() }
        }
    }
}

extension DomainOptions {
    func addNeeds(to needs: inout ColumnNeeds) { needs.add(expression: whereExpression) }
}

extension GroupOptions {
    func addNeeds(to needs: inout ColumnNeeds) { grouping.addNeeds(to: &needs) }
}

extension GroupingOptions {
    func addNeeds(to needs: inout ColumnNeeds) { for b in by { needs.add(spec: b) } }
}

extension InputOptions {
    /// Loads only the columns in `needs` (with the recodes' inputs instead of
    /// their outputs), then applies the recodes.
    func load(_ needs: ColumnNeeds) throws -> Dataset {
        let options = ReadStatOptions(userMissing: ignoreUserMissing ? .ignore : .honour, encoding: encoding)
        let csv = try delimiter.map { CSVOptions(delimiter: try parseDelimiter($0)) }
        return try recodeOptions.apply(to: loadRecorded(file, codebook: codebook, options: options, csv: csv,
                                                        columns: fileColumns(needs).selection(file: file, csv: csv, options: options)))
    }

    /// `needs` as columns of the file: the variables the recodes make are
    /// replaced by the variables they read.
    func fileColumns(_ needs: ColumnNeeds) throws -> ColumnNeeds {
        let specs = try recodeOptions.specs()
        guard !specs.isEmpty else { return needs }
        var n = needs
        n.remove(specs.map(\.variableWritten))
        n.add(try recodeOptions.variablesRead())
        return n
    }
}
