import Barometer
import BarometerIO
import BarometerClaims
import BarometerReports
import Foundation

// Harnesses for the input languages and files added with domains, models,
// banners and partial results: each decodes arbitrary bytes, and whatever
// parses is also evaluated on a small fixed dataset, so evaluation is fuzzed
// too. Typed errors are fine; a trap, a hang or unbounded work is a bug.

extension FuzzTargets {
    /// A small dataset with the shapes the languages refer to: labelled codes
    /// with Don't know/Refused (8/9), a numeric score with system-missing, a
    /// text variable, a weight and a two-column multiple-response set.
    static let smallDesign: SurveyDesign? = {
        let q = Variable(name: "q", label: "Opinion", level: .ordinal, values: [1, 2, 3, 4, 8, 9, 1, 2, 2, 3, 1, 4],
                         valueLabels: [1: "Very favorable", 2: "Somewhat favorable", 3: "Somewhat unfavorable",
                                       4: "Very unfavorable", 8: "Don't know", 9: "Refused"],
                         missing: MissingValues(codes: [8, 9]))
        let g = Variable(name: "g", label: "Group", level: .nominal, values: [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2],
                         valueLabels: [1: "Kazakh", 2: "Russian"])
        let x = Variable(name: "x", level: .scale, values: [1.5, 2, .nan, 4, 5, 6.5, 7, 8, 9, 10, 11, 12])
        let w = Variable(name: "w", level: .scale, values: [1, 2, 1, 0.5, 1, 1.5, 1, 2, 1, 1, 0.7, 1.3])
        let r1 = Variable(name: "r1", level: .nominal, values: [1, 2, .nan, 3, 1, 2, 3, .nan, 1, 2, 3, 1])
        let r2 = Variable(name: "r2", level: .nominal, values: [2, .nan, .nan, 1, 3, .nan, 1, .nan, 2, 3, .nan, .nan])
        let s = Variable(name: "s", strings: ["a", "b", "a", "", "c", "b", "a", "b", "c", "a", "b", "a"])
        guard let data = try? Dataset(variables: [q, g, x, w, r1, r2, s]) else { return nil }
        return try? SurveyDesign(data: data, weight: "w")
    }()

    /// Domain expressions (`--where`): parse, then evaluate on the small dataset.
    @Sendable static func domainExpression(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        guard let expression = try? DomainExpression(text), let design = smallDesign else { return nil }
        if let d = try? expression.domain(in: design.data), d.mask.count != design.rowCount {
            return "a domain of \(d.mask.count) rows over \(design.rowCount)"
        }
        return nil
    }

    /// Model formulas (`glm`, `olr`): parse, print back, parse again; fit a
    /// gaussian model on the small dataset when the formula parses.
    @Sendable static func formula(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        guard let f = try? ModelFormula(parsing: text) else { return nil }
        guard (try? ModelFormula(parsing: f.description)) != nil else { return "the printed formula '\(f.description)' does not parse" }
        if let design = smallDesign { _ = try? design.glm(f) }
        return nil
    }

    /// Banner specifications (JSON): decode, resolve, and compute the book on the small dataset.
    @Sendable static func bannerSpecification(_ data: Data) -> String? {
        guard let spec = try? BannerSpecification.decode(data), let design = smallDesign else { return nil }
        // Bounded work: the small dataset has few categories; cap the stub and banner count.
        guard spec.stubs.count <= 16, spec.banner.count <= 8 else { return nil }
        _ = try? BannerBook(design, specification: spec)
        return nil
    }

    /// Partial-result state files (`barometer partial` / `merge`): decode and finalize; what decodes
    /// must decode again after encoding and merge with its copy.
    @Sendable static func stateFile(_ data: Data) -> String? {
        guard let state = try? PartialResult.decode([UInt8](data), file: "fuzz") else { return nil }
        _ = try? state.finalize()
        // What decodes re-encodes to a state that decodes, and merges with its own copy
        // (every payload kind's merge by key, then its finalization) without trapping.
        guard let again = try? PartialResult.decode(state.encoded(), file: "fuzz") else {
            return "a decoded state does not decode again after encoding"
        }
        var doubled = again
        if (try? doubled.merge(state)) != nil { _ = try? doubled.finalize() }
        return nil
    }
}

extension FuzzTargets {
    /// A 40-row dataset with two labelled margins and a base weight, for the targets harness.
    static let weightingDesign: SurveyDesign? = {
        let n = 40
        let sex = Variable(name: "sex", values: (0..<n).map { Double($0 % 2 + 1) }, valueLabels: [1: "Male", 2: "Female"])
        let age = Variable(name: "age", values: (0..<n).map { Double($0 % 3 + 1) }, valueLabels: [1: "18-29", 2: "30-54", 3: "55+"])
        let wt = Variable(name: "wt", values: (0..<n).map { 0.5 + Double($0 % 5) / 4 })
        guard let d = try? Dataset(variables: [sex, age, wt], weightVariable: "wt") else { return nil }
        return try? SurveyDesign(data: d)
    }()

    /// Weighting targets files (CSV and JSON): parse both ways; whatever parses
    /// is checked against the small dataset and used to rake and calibrate it.
    @Sendable static func targets(_ data: Data) -> String? {
        for parsed in [try? TargetsLoader.parseCSV(data), try? TargetsLoader.parseJSON(data)] {
            guard let targets = parsed, let design = weightingDesign else { continue }
            for method in [WeightingMethod.rake, .linear, .logit] {
                let bounds: (lower: Double, upper: Double)? = method == .logit ? (0.5, 2) : nil
                if let r = try? design.weighted(to: targets, options: WeightingOptions(method: method, bounds: bounds, maxIterations: 50)) {
                    _ = r.report.textTable
                }
            }
        }
        return nil
    }
}
