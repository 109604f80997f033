import ArgumentParser
import Barometer
import BarometerIO
import Foundation

/// `barometer partial COMMAND ARGS… --state-out FILE`: runs a command on one
/// shard of the data and writes its mergeable state instead of the result.
struct Partial: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command on a shard of the data and write its mergeable state (see `merge`).",
        discussion: "Supported: freq (one or more variables, --by), crosstab (the table, --layer, --by; --stats under weights-only, --strata/--psu or replicate designs, per layer with --layer/--by), share (--by, --compare, every interval), banner (weights-only, --strata/--psu or replicate designs; merge --out writes its HTML/.xlsx book), mean, total, ratio (weights-only or --strata/--psu/--fpc designs), corr (Pearson listwise or --pairwise; polychoric listwise or pairwise, two-step or ML), mrset. --where is honoured (the domain keeps every row in the design, as in the single pass); --by (with --compare) on mean and total; replicate designs. `barometer merge STATE…` prints what the command prints on the whole data.",
        subcommands: [PartialFreq.self, PartialCrosstab.self, PartialMean.self, PartialTotal.self, PartialRatio.self, PartialCorr.self,
                      PartialMRSet.self, PartialShare.self, PartialBanner.self])
}

/// Where the state goes.
struct StateOutput: ParsableArguments {
    @Option(name: .customLong("state-out"), help: "File to write the partial state to.") var stateOut: String
    @Option(name: .customLong("chunk-bytes"), help: ArgumentHelp("Bytes of CSV read per chunk.", visibility: .hidden))
    var chunkBytes: Int = 8 << 20
    @Option(name: .customLong("chunk-rows"), help: ArgumentHelp("Rows of an SPSS/Stata/SAS file read per chunk.", visibility: .hidden))
    var chunkRows: Int = 65_536

    /// The state of a command over `input`: a CSV file is streamed in chunks
    /// of whole records, an SPSS/Stata/SAS file in chunks of rows as ReadStat
    /// parses them (memory bounded by a chunk, not the file), each chunk
    /// accumulated and merged in file order; standard input is loaded whole.
    /// Only the columns in `needs` are read (every column by default).
    func accumulate(_ input: InputOptions, needs: ColumnNeeds = .everything,
                    _ build: (Dataset) throws -> PartialResult) throws -> PartialResult {
        let ext = URL(fileURLWithPath: input.file).pathExtension.lowercased()
        if ext != "csv", input.file != "-", ReadStatFormat(extension: ext) != nil {
            return try accumulateReadStat(input, needs: needs, build)
        }
        guard ext == "csv" else { return try build(input.load(needs)) }
        let codebook = try input.codebook.map { (p: String) throws(CodebookError) -> Codebook in try Codebook.load(path: p) }
        var state: PartialResult? = nil
        var offset = 0
        var options = try input.delimiter.map { CSVOptions(delimiter: try parseDelimiter($0)) } ?? .default
        options.columns = try input.fileColumns(needs).selection(file: input.file, csv: options, options: ReadStatOptions())
        try ProvenanceRecorder.shared.recordFile(input.file)
        try ProvenanceRecorder.shared.recordFile(input.codebook)
        try CSVReader.forEachChunk(path: input.file, codebook: codebook, options: options, chunkBytes: chunkBytes) { data in
            let s: PartialResult
            do { s = try build(input.recodeOptions.apply(to: data)) } catch BarometerError.invalidWeight(let v, let row, let x) {
                throw BarometerError.invalidWeight(variable: v, row: row + offset, value: x)   // rows of the file, not the chunk
            }
            offset += data.rowCount
            if var merged = state { try merged.merge(s, file: input.file); state = merged } else { state = s }
        }
        guard let state else { throw ValidationError("\(input.file): no data") }
        return state
    }

    /// ``ReadStatReader/forEachChunk(path:format:options:columns:chunkRows:_:)`` chunks, accumulated and merged in file order.
    func accumulateReadStat(_ input: InputOptions, needs: ColumnNeeds,
                            _ build: (Dataset) throws -> PartialResult) throws -> PartialResult {
        let format = try DatasetLoader.readStatFormat(of: input.file)
        if input.codebook != nil {
            throw BarometerError.invalidArgument("a codebook applies to CSV files only; \(input.file) is a .\(format.rawValue) file that carries its own labels")
        }
        try ProvenanceRecorder.shared.recordFile(input.file)
        var state: PartialResult? = nil
        var offset = 0
        let options = ReadStatOptions(userMissing: input.ignoreUserMissing ? .ignore : .honour, encoding: input.encoding)
        try ReadStatReader.forEachChunk(path: input.file, format: format, options: options,
                                        columns: try input.fileColumns(needs).selection(file: input.file, csv: nil, options: options),
                                        chunkRows: chunkRows) { data in
            let s: PartialResult
            do { s = try build(input.recodeOptions.apply(to: data)) } catch BarometerError.invalidWeight(let v, let row, let x) {
                throw BarometerError.invalidWeight(variable: v, row: row + offset, value: x)   // rows of the file, not the chunk
            }
            offset += data.rowCount
            if var merged = state { try merged.merge(s, file: input.file); state = merged } else { state = s }
        }
        guard let state else { throw BarometerError.insufficientData("\(input.file) holds no cases (rows)") }
        return state
    }

    func write(_ state: PartialResult) throws {
        do { try Data(state.encoded()).write(to: URL(fileURLWithPath: stateOut), options: .atomic) } catch {
            throw ValidationError("cannot write state file '\(stateOut)': \(error.localizedDescription)")
        }
    }
}

/// Shards cannot weight themselves: calibration (raking, GREG, post-stratification, trimming) solves
/// for g-weights from the weighted totals of the WHOLE sample, so each shard calibrated on its own
/// would meet the targets shard by shard and give other weights than the whole file (and variances on
/// the wrong residuals). `partial` refuses `--targets` instead of merging wrong numbers.
func refuseCalibration(_ options: DesignOptions, _ command: String) throws {
    guard let t = options.weighting.targets else { return }
    throw ValidationError("partial \(command) cannot take --targets '\(t)': calibration needs the whole sample "
        + "(the g-weights solve for targets from the weighted totals of every shard together), so a shard cannot weight itself. "
        + "Weight the whole file first (barometer weight FILE --targets \(t) --out weighted.csv), then run partial on shards "
        + "of weighted.csv with --weight calwt; those variances treat the calibrated weights as fixed. "
        + "For variances on the calibration residuals run the command on the whole file with --targets.")
}

/// The design spec recorded in a state header: shards merge only under the same one.
func designSpec(_ design: SurveyDesign, _ options: DesignOptions?) -> [String: String] {
    var spec = ["weight": design.weights.name ?? ""]
    if let o = options {
        if let s = o.strata { spec["strata"] = s }
        if let p = o.psu { spec["psu"] = p }
        if let f = o.fpc { spec["fpc"] = f }
        if let r = o.repweights { spec["repweights"] = r }
        spec["nest"] = o.nest ? "true" : "false"
        spec["lonelyPSU"] = o.lonelyPSU.rawValue
    }
    return spec
}

struct PartialFreq: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "freq", abstract: "Partial state of `freq`.")
    @OptionGroup var command: Freq
    @OptionGroup var state: StateOutput

    func run() throws {
        try command.grouping.requireNoCompare("freq")
        try state.write(try state.accumulate(command.input, needs: command.needs) { data in
            var data = data
            let by = try command.grouping.groupingVariables(&data)      // derived indicators join the data
            let design = try SurveyDesign(data: data, weight: command.weight)
            // One variable: the single-variable state (kind 1, or 9 with --by); several: one table state each (kind 13).
            return try PartialResult.frequencies(design, variables: command.variables, by: by,
                                                 missing: command.excludeMissing ? .excludeMissing : .showMissing,
                                                 domain: try command.domainOptions.domain(data), design: designSpec(design, nil))
        })
    }
}

struct PartialCrosstab: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crosstab", abstract: "Partial state of `crosstab` (the table).")
    @OptionGroup var command: Crosstab
    @OptionGroup var state: StateOutput

    func run() throws {
        try refuseCalibration(command.designOptions, "crosstab")
        let list = [command.stats, command.expected ? "expected" : nil].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ",")
        try command.grouping.requireNoCompare("crosstab")
        try state.write(try state.accumulate(command.input, needs: command.needs) { data in
            var data = data
            let by = try command.grouping.groupingVariables(&data)      // --by: layers of the groups' valid categories
            let design = try command.designOptions.design(data, weight: command.weight, partial: true)
            if !list.isEmpty {
                return try PartialResult.crosstabStatistics(design, rows: command.rows, columns: command.cols,
                                                            layers: command.layer, by: by, missing: command.excludeMissing ? .excludeMissing : .showMissing,
                                                            display: command.percent.value, statistics: list,
                                                            includeMissing: command.statsIncludeMissing,
                                                            weightsAsFrequencies: command.weightsAsFrequencies,
                                                            domain: try command.domainOptions.domain(data),
                                                            design: designSpec(design, command.designOptions))
            }
            return try PartialResult.crosstab(design, rows: command.rows, columns: command.cols, layers: command.layer, by: by,
                                              missing: command.excludeMissing ? .excludeMissing : .showMissing,
                                              display: command.percent.value,
                                              domain: try command.domainOptions.domain(data),
                                              design: designSpec(design, command.designOptions))
        })
    }
}

/// Shared by `partial mean` and `partial total`.
func writeEstimatesState(_ options: EstimateOptions, total: Bool, _ state: StateOutput) throws {
    try refuseCalibration(options.designOptions, total ? "total" : "mean")
    try state.write(try state.accumulate(options.input, needs: options.needs) { data in
        var data = data
        let by = try options.groupOptions.groupingVariables(&data)      // derived indicators join the data
        let design = try options.designOptions.design(data, weight: options.weight, partial: true)
        if !by.isEmpty {
            return try PartialResult.grouped(design, statistic: total ? "total" : "mean", variables: options.variables, by: by,
                                             level: options.level, compare: options.groupOptions.compare,
                                             adjustment: options.groupOptions.adjust,
                                             domain: try options.domainOptions.domain(data),
                                             design: designSpec(design, options.designOptions))
        }
        return try PartialResult.estimates(design, variables: options.variables, total: total, level: options.level,
                                           domain: try options.domainOptions.domain(data),
                                           design: designSpec(design, options.designOptions))
    })
}

struct PartialMean: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mean", abstract: "Partial state of `mean`.")
    @OptionGroup var options: EstimateOptions
    @OptionGroup var state: StateOutput
    func run() throws { try writeEstimatesState(options, total: false, state) }
}

struct PartialTotal: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "total", abstract: "Partial state of `total`.")
    @OptionGroup var options: EstimateOptions
    @OptionGroup var state: StateOutput
    func run() throws { try writeEstimatesState(options, total: true, state) }
}

struct PartialRatio: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ratio", abstract: "Partial state of `ratio`.")
    @OptionGroup var command: Ratio
    @OptionGroup var state: StateOutput

    func run() throws {
        try refuseCalibration(command.designOptions, "ratio")
        try state.write(try state.accumulate(command.input, needs: command.needs) { data in
            var data = data
            let by = try command.groupOptions.groupingVariables(&data)      // derived indicators join the data
            let design = try command.designOptions.design(data, weight: command.weight, partial: true)
            let domain = try command.domainOptions.domain(data), spec = designSpec(design, command.designOptions)
            if !by.isEmpty {
                return try PartialResult.grouped(design, statistic: "ratio", variables: [command.numerator],
                                                 denominator: command.denominator, by: by, level: command.level,
                                                 compare: command.groupOptions.compare, adjustment: command.groupOptions.adjust,
                                                 domain: domain, design: spec)
            }
            return try PartialResult.ratio(design, numerator: command.numerator, denominator: command.denominator,
                                           level: command.level, domain: domain, design: spec)
        })
    }
}

struct PartialCorr: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corr", abstract: "Partial state of `corr` (Pearson listwise or pairwise, or polychoric).")
    @OptionGroup var command: Corr
    @OptionGroup var state: StateOutput

    func run() throws {
        try refuseCalibration(command.common.designOptions, "corr")
        if command.common.designOptions.isSpecified {
            throw ValidationError("partial corr supports weights-only designs (design-based SEs need every row)")
        }
        var needs = command.needs
        needs.add(command.common.weight)
        command.common.designOptions.addNeeds(to: &needs)
        try state.write(try state.accumulate(command.input, needs: needs) { data in
            let options = CorrelationOptions(method: command.method, missing: command.pairwise ? .pairwise : .listwise,
                                             excludeUserMissing: !command.includeUserMissing,
                                             weightSemantics: command.common.weightSemantics,
                                             confidenceLevel: command.common.level, adjustment: command.common.adjust,
                                             domain: try command.domainOptions.domain(data),
                                             polychoricEstimator: command.estimator ?? .twoStep)
            let design = try command.common.designOptions.design(data, weight: command.common.weight)
            return try PartialResult.correlation(design, variables: command.variables, options: options,
                                                 design: designSpec(design, nil))
        })
    }
}

struct PartialMRSet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mrset", abstract: "Partial state of `mrset`.")
    @OptionGroup var command: MRSet
    @OptionGroup var state: StateOutput

    func run() throws {
        let excluded = try command.excludedCodes()
        try state.write(try state.accumulate(command.input, needs: command.needs) { data in
            let design = try SurveyDesign(data: data, weight: command.weight)
            return try PartialResult.multipleResponse(design, variables: command.variables, excluding: excluded,
                                                      domain: try command.domain(design),
                                                      missing: command.excludeMissing ? .excludeMissing : .showMissing,
                                                      design: designSpec(design, nil))
        })
    }
}

struct PartialBanner: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "banner",
                                                    abstract: "Partial state of `banner` (weights-only, --strata/--psu or replicate designs).")
    @OptionGroup var command: Banner
    @OptionGroup var state: StateOutput

    func run() throws {
        try refuseCalibration(command.designOptions, "banner")
        if let out = command.out {
            throw ValidationError("partial banner writes a state, not a book: give --out \(out) to `barometer merge`")
        }
        let spec = try command.specification()
        try state.write(try state.accumulate(command.input, needs: command.needs(spec)) { data in
            let design = try command.designOptions.design(data, weight: command.weight, partial: true)
            return try PartialResult.banner(design, specification: spec, domain: try command.domainOptions.domain(data),
                                            design: designSpec(design, command.designOptions))
        })
    }
}

/// `barometer merge STATE… [--format …]`: merges partial states and prints
/// the result the command prints on the whole data.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge partial states (from `partial`) and print the command's result over all shards.")
    @Argument(help: "State files written by `barometer partial … --state-out`.") var states: [String]
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "Banner states: also write the book to FILE.xlsx or FILE.html (as `banner --out`).") var out: String?

    func run() throws {
        guard !states.isEmpty else { throw ValidationError("no state files given") }
        var merged: PartialResult? = nil
        for path in states {
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                throw ValidationError("cannot read state file '\(path)': \(error.localizedDescription)")
            }
            let s = try PartialResult.decode(bytes, file: path)
            if merged == nil { merged = s } else { try merged?.merge(s, file: path) }
        }
        guard let merged else { return }
        let result = try merged.finalize()
        var isBanner = false
        if case .banner = result { isBanner = true }
        if let out, !isBanner {
            throw ValidationError("--out \(out): only a banner book is written to a file (this is a \(merged.header.statistic) state)")
        }
        switch result {
        case .frequency(let t): try emitFrequencies([t], output)
        case .crosstab(let t): try emit(t, output)
        case .crosstabStatistics(let t, var stats, let excluded):
            for k in stats.indices {
                if let note = statisticsBaseNote(excludedMissing: excluded,
                                                 includeMissing: merged.header.options["statsIncludeMissing"] == "true", table: t) {
                    stats[k].notes.insert(note, at: 0)
                }
            }
            try emit(t, with: stats, key: "statistics", output)
        case .estimates(let e): try emit(e, output)
        case .correlation(let c):
            try emit(c, output)
            // Polychoric: thresholds and normality tests per pair after the matrix, as `corr` prints them.
            if output.format != .json, let pairs = c.polychoric { for p in pairs { print(""); try emit(p, output) } }
        case .multipleResponse(let m): try emit(m, output)
        case .grouped(let results, let compare, let adjustment):
            try emitGroupedEstimates(results, compare: compare, adjust: adjustment, output)
        case .shareTable(let table, let differences):
            warn(table.warnings)
            if let differences { try emit(table, with: [differences], key: "differences", output) } else { try emit(table, output) }
        case .share(let share):
            warn(share.warnings)
            try emit(share, output)
        case .groupedFrequency(let g): try GroupingOptions().emitGroups(g, output)
        case .frequencies(let tables): try emitFrequencies(tables, output)
        case .groupedFrequencies(let results): try emitGroupedFrequencies(results, output)
        case .banner(let book):
            try emitBanner(book, output, out: out, title: "Banner book: \(states.count) merged state\(states.count == 1 ? "" : "s")")
        }
    }
}
