import ArgumentParser
import Barometer
import BarometerIO
import Foundation

/// `barometer weight`: rakes, calibrates or post-stratifies the weights to
/// population targets, writes the data with the new weight column and
/// prints the weighting report.
struct Weight: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Weight to population targets (rake, GREG/raking/logit calibration, post-stratification, trimming); writes the data with the new weight and prints the report.")
    @OptionGroup var input: InputOptions
    @Option(name: .long, help: "Base (design) weight variable (default: the codebook's weight, else 1).") var weight: String?
    @OptionGroup var designOptions: DesignOptions
    @Option(name: .long, help: "Output data file: .csv, or .sav/.zsav (labels kept).") var out: String
    @Option(name: .long, help: "Name of the new weight variable.") var name: String = "calwt"
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard designOptions.weighting.targets != nil else { throw ValidationError("weight needs --targets") }
    }

    func run() throws {
        var data = try input.load()
        let base = try designOptions.baseDesign(data, weight: weight)
        guard let result = try designOptions.weighting.weighted(base, name: name) else { return }
        let label = "\(result.report.method.rawValue) weight to \(designOptions.weighting.targets ?? "targets")"
        try data.replace(Variable(name: name, label: label, level: .scale, values: result.weights, format: "F12.6"))
        data.weightVariable = name
        let lower = out.lowercased()
        if lower.hasSuffix(".sav") || lower.hasSuffix(".zsav") {
            try SAVWriter.write(data, to: out, compression: lower.hasSuffix(".zsav") ? .zlib : .rows)
        } else {
            try DatasetCSVWriter.write(data, to: out)
        }
        try emit(result.report, output)
        if output.format == .table { print("Wrote \(out) with weight variable '\(name)'.") }
    }
}
