import Barometer
import Foundation

/// Loads the cross-tab test surveys written by
/// Fixtures/reference/crosstab/make_data.py (JSON twin of the CSV).
enum CrosstabFixture {
    struct File: Decodable {
        struct Codebook: Decodable { let labels: [String: String]; let missing: [Double] }
        let columns: [String: [Double?]]
        let order: [String]
        let weight: String?
        let codebook: [String: Codebook]
    }

    static func dataset(_ name: String) throws -> Dataset {
        let f = try Fixture.decode(File.self, "Fixtures/reference/crosstab/\(name).json")
        let vars = f.order.map { n -> Variable in
            let cb = f.codebook[n]
            var labels: [Double: String] = [:]
            for (k, v) in cb?.labels ?? [:] { if let c = Double(k) { labels[c] = v } }
            return Variable(name: n, values: (f.columns[n] ?? []).map { $0 ?? .nan }, valueLabels: labels,
                            missing: MissingValues(codes: cb?.missing ?? []))
        }
        return try Dataset(variables: vars, weightVariable: f.weight)
    }

    static func design(_ name: String, weight: String? = nil) throws -> SurveyDesign {
        let d = try dataset(name)
        return try SurveyDesign(data: d, weight: weight ?? d.weightVariable)
    }

    /// The reference key of a category: its code as written, or "sys".
    static func key(_ c: Category) -> String {
        c.code.map(Variable.formatCode) ?? "sys"
    }
}
