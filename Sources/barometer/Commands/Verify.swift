import ArgumentParser
import Barometer
import BarometerClaims
import BarometerReports
import BarometerIO
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recomputes a memo's claims from respondent-level data and writes a replication report.",
        discussion: "Reads a claim file (Fixtures/memos/*.claims.json), recomputes every claim on the data (shares, conditional shares, multiple response, correlations) and prints claim, published figure, recomputed figure, 95% CI and verdict. Writes <memo>.report.md and a self-contained <memo>.report.html (SVG charts) into --report-dir. A mapping file translates the claims' variable names and codes to those of another survey file. Exits with status 1 when a claim fails or cannot be computed because of an error.")

    @Argument(help: "Claim file (format barometer-claims/1).") var claims: String
    @Option(name: .long, help: "Survey data file (CSV; SPSS/Stata/SAS where supported).") var data: String
    @Option(name: .long, help: "JSON codebook for a CSV file (labels, missing codes, weight).") var codebook: String?
    @Option(name: .customLong("map"), help: "Mapping file (format barometer-mapping/1): the claims' variables and codes in this file.") var mapping: String?
    @Option(name: .long, help: "Weight variable (default: the mapping's, else the codebook's).") var weight: String?
    @Option(name: .long, help: "Directory for the Markdown and HTML reports.") var reportDir: String = "barometer-reports"
    @OptionGroup var output: OutputOptions

    /// The columns the claims read (after the mapping), kept when the file has
    /// them: a claim on a variable the file lacks stays that claim's error.
    /// A claim or mapping file that does not load loads every column (its
    /// error is reported below, as before).
    func claimNeeds() -> ColumnNeeds {
        guard var file = try? ClaimFileLoader.load(claims) else { return .everything }
        var needs = ColumnNeeds()
        needs.add(weight)
        if let mapping {
            guard let m = try? ClaimFileLoader.loadMapping(mapping), let mapped = try? file.applying(m) else { return .everything }
            file = mapped
            needs.addOptional([m.weight].compactMap { $0 })
        }
        needs.addOptional(file.claims.flatMap(\.computation.variablesUsed))
        return needs
    }

    func run() throws {
        let options = ReadStatOptions()
        let dataset = try loadRecorded(data, codebook: codebook, options: options, csv: nil,
                                       columns: claimNeeds().selection(file: data, csv: nil, options: options))
        var file = try ClaimFileLoader.load(claims)
        try ProvenanceRecorder.shared.recordFile(claims)
        let consistency = try ConsistencyReport(file)
        var w = weight
        if let mapping {
            let m = try ClaimFileLoader.loadMapping(mapping)
            file = try file.applying(m)
            w = w ?? m.weight
        }
        let design = try SurveyDesign(data: dataset, weight: w)
        var evaluation = try ClaimEvaluator(design: design).evaluate(file)
        let source = ReportDataSource(file: data, data: dataset, weight: design.weights.name)
        evaluation.dataSource = source.line
        try emit(evaluation, output)
        fflush(nil)   // the table before the report paths when both streams go to one terminal or log
        var report = ReplicationReport(claims: file, evaluation: evaluation, consistency: consistency, source: source, labels: dataset)
        if output.provenance { report.provenance = ProvenanceRecorder.shared.provenance }
        for path in try report.write(to: reportDir) {
            FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
        }
        if evaluation.hasFailures { throw ExitCode(1) }
    }
}
