import Barometer
import BarometerIO
import BarometerClaims

/// Where the recomputed figures of a report come from, stated on every
/// figure and table of the report.
///
/// A dataset is recognised as synthetic when any of its variable labels
/// contains the word `SYNTHETIC` (the convention of the bundled fixture
/// surveys, whose codebooks label every variable so); the report then says
/// that the figures come from invented respondents, not from the survey the
/// memo used.
public struct ReportDataSource: Sendable, Codable, Equatable {
    /// The data file as given.
    public let file: String
    /// Whether the dataset is labelled synthetic.
    public let synthetic: Bool
    /// Respondents in the file.
    public let respondents: Int
    /// Weight variable, nil when unweighted.
    public let weight: String?

    /// - Parameters:
    ///   - file: The data file as given.
    ///   - synthetic: Whether the dataset is labelled synthetic.
    ///   - respondents: Respondents in the file.
    ///   - weight: Weight variable, nil when unweighted.
    public init(file: String, synthetic: Bool, respondents: Int, weight: String?) {
        self.file = file
        self.synthetic = synthetic
        self.respondents = respondents
        self.weight = weight
    }

    /// Describes `data`, read from `file`, weighted by `weight`.
    public init(file: String, data: Dataset, weight: String?) {
        self.init(file: file, synthetic: data.variables.contains { ($0.label ?? "").contains("SYNTHETIC") },
                  respondents: data.rowCount, weight: weight)
    }

    /// One line, e.g. "Data source: SYNTHETIC fixture survey kz2019-synthetic.csv …".
    public var line: String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let w = weight.map { "weighted by \($0)" } ?? "unweighted"
        return synthetic
            ? "Data source: SYNTHETIC fixture survey \(name) (\(respondents) invented respondents, \(w)); not real survey data, the figures only show that the claims can be recomputed."
            : "Data source: \(name) (\(respondents) respondents, \(w))."
    }

    /// Short form for chart captions.
    public var caption: String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        return synthetic ? "Recomputed from the SYNTHETIC fixture \(name) (not real data)" : "Recomputed from \(name)"
    }
}
