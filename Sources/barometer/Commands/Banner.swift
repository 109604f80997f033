import ArgumentParser
import Barometer
import BarometerClaims
import BarometerReports
import BarometerIO
import Foundation

extension BannerSpecification.Test: ExpressibleByArgument {}
extension BannerSpecification.Base: ExpressibleByArgument {}

/// `barometer banner`: a banner book (stub questions × Total and banner
/// subgroups) with column percentages, bases and significance letters.
struct Banner: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Banner book: questions (rows) × Total and subgroups (columns), column %, bases and significance letters.",
        discussion: """
        Either a JSON specification (--spec) or the quick form (--rows … --cols …). Letters mark the columns of \
        the same banner variable that a cell is significantly higher than: upper case at the strictest --sig \
        level, lower case at a looser one. Default test: design-based difference of domain estimates (SE from \
        their design covariance, t on the design df), as R svyby + svycontrast; --test spss gives SPSS Custom \
        Tables' column proportions z-test on effective bases.
        """)

    @OptionGroup var input: InputOptions
    @Option(name: .long, help: "JSON banner specification (stubs, banner, base, test, levels, adjust).") var spec: String?
    @Option(name: .long, help: "Stub question (rows of a table; repeat).") var rows: [String] = []
    @Option(name: .long, help: "Numeric stub shown as a mean per column (repeat).") var mean: [String] = []
    @Option(name: .long, help: "Banner variable (columns; repeat).") var cols: [String] = []
    @Option(name: .long, help: "Significance levels, e.g. 0.05 or 0.05,0.01 (upper case at the strictest).") var sig: String?
    @Option(name: .long, help: "Column test: design, spss or none.") var test: BannerSpecification.Test?
    @Option(name: .long, help: "Multiplicity adjustment within a row's banner variable: none, bonferroni, holm, bh.") var adjust: PValueAdjustment?
    @Option(name: .long, help: "Base: valid (valid answers) or all (DK/Refused shown, not tested).") var base: BannerSpecification.Base?
    @Flag(name: .customLong("no-total"), help: "Leave out the Total column.") var noTotal = false
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Also write the book to FILE.xlsx (one sheet per question) or FILE.html (self-contained, printable).") var out: String?
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var output: OutputOptions

    func specification() throws -> BannerSpecification {
        var s: BannerSpecification
        if let path = spec {
            guard rows.isEmpty, cols.isEmpty, mean.isEmpty else { throw ValidationError("give either --spec or --rows/--mean/--cols, not both") }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ValidationError("cannot read --spec \(path): \(error.localizedDescription)") }
            s = try BannerSpecification.decode(data, source: path)
        } else {
            guard !(rows.isEmpty && mean.isEmpty), !cols.isEmpty else { throw ValidationError("give --spec, or at least one --rows (or --mean) and one --cols") }
            s = BannerSpecification(stubs: rows.map { .init(variable: $0) } + mean.map { .init(variable: $0, kind: .mean) },
                                    banner: cols.map { .init(variable: $0) })
        }
        if let sig {
            var levels: [Double] = []
            for part in sig.split(separator: ",") {
                guard let x = Double(part.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--sig: '\(part)' is not a number") }
                levels.append(x)
            }
            s.levels = levels
        }
        if let test { s.test = test }
        if let adjust { s.adjust = adjust }
        if let base { s.base = base }
        if noTotal { s.total = false }
        return s
    }

    /// The columns the book of `s` reads.
    func needs(_ s: BannerSpecification) -> ColumnNeeds {
        var needs = ColumnNeeds()
        for stub in s.stubs { needs.add(stub.kind == .multipleResponse ? (stub.variables ?? []) : [stub.variable]) }
        for b in s.banner { needs.add(spec: b.variable) }
        needs.add(weight)
        designOptions.addNeeds(to: &needs); domainOptions.addNeeds(to: &needs)
        return needs
    }

    func run() throws {
        let s = try specification()
        let design = try designOptions.design(try input.load(needs(s)), weight: weight)
        // A progress line on stderr when it is a terminal (silent in pipes, files and tests).
        let bar: ((Int, Int) -> Void)? = isatty(2) != 0 ? { done, total in
            let width = 30, filled = total > 0 ? done * width / total : width
            FileHandle.standardError.write(Data("\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total) tables".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } : nil
        let book = try BannerBook(design, specification: s, domain: try domainOptions.domain(design.data), progress: bar)
        try emitBanner(book, output, out: out, title: "Banner book: \(URL(fileURLWithPath: input.file).lastPathComponent)")
    }
}

/// Prints a banner book (text, Markdown, CSV or JSON) and, with `out`, writes it as an
/// Excel workbook or an HTML book through BarometerReports (`banner` and `merge`).
func emitBanner(_ book: BannerBook, _ output: OutputOptions, out: String?, title: String) throws {
    if let out {
        let lower = out.lowercased()
        if lower.hasSuffix(".xlsx") {
            try XLSXWorkbook(book, provenance: output.provenance ? ProvenanceRecorder.shared.provenance : nil).write(to: out)
        } else if lower.hasSuffix(".html") || lower.hasSuffix(".htm") {
            let provenance = output.provenance ? ProvenanceRecorder.shared.provenance : nil
            do { try BannerHTML.render(book, title: title, provenance: provenance).write(toFile: out, atomically: true, encoding: .utf8) }
            catch { throw ValidationError("cannot write \(out): \(error.localizedDescription)") }
        } else {
            throw ValidationError("--out: '\(out)' should end in .xlsx or .html")
        }
    }
    if output.format == .json {
        print(try renderJSONWithProvenance(book, output))
        return
    }
    let tables = book.textTables
    for (k, t) in tables.enumerated() {
        if k > 0 { print("") }
        let table = output.format == .csv || k < tables.count - 1 ? t : withProvenanceNotes(t, output)
        print(csvProvenanceComments(output) + output.format.render(table), terminator: output.format == .csv ? "" : "\n")
    }
}
