import Barometer
import CReadStat

/// The per-parse state handed to ReadStat as its `user_ctx`: receives the
/// metadata, variable, value-label, note and value callbacks and builds
/// the columns as the rows stream past (the file is read once). One
/// instance per parse; never shared between threads.
final class ReadStatCollector {
    struct Column {
        var name: String
        var label: String?
        var format: String?
        var measure: readstat_measure_t
        var isString: Bool
        var labelSet: String?
        var missing: MissingValues
        var values: [Double] = []
        var strings: [String] = []

        var count: Int { isString ? strings.count : values.count }
    }

    /// Reserve at most this many rows up front, whatever the header claims
    /// (a corrupt header must not trigger a huge allocation).
    static let maxReservedRows = 1 << 20

    let file: String
    let format: ReadStatFormat
    let options: ReadStatOptions
    var columns: [Column] = []
    var labelSets: [String: [Double: String]] = [:]
    var taggedLabels: [String: [Character: String]] = [:]
    var notes: [String] = []
    var fileLabel: String?
    var fileEncoding: String?
    var formatVersion = 0
    var declaredRows = -1
    var weightIndex: Int?
    /// The name of the file's weight variable (kept or not).
    var weightName: String?
    /// Per variable of the file (by ReadStat's index): its place in
    /// `columns`, or nil when ``ReadStatOptions/columns`` skips it.
    var slots: [Int?] = []
    /// Every variable name of the file, kept or not (for the selection check).
    var allNames: [String] = []
    /// Names to keep besides ``ReadStatOptions/columns`` (the file's weight).
    var alsoKeep: Set<String> = []
    /// With `namesOnly`, the variable handler records names and skips every variable.
    var namesOnly = false
    /// The first failure detected in a callback (the parse is then aborted).
    var failure: ReadStatError?
    /// The last message ReadStat passed to the error handler.
    var lastMessage: String?

    init(file: String, format: ReadStatFormat, options: ReadStatOptions) {
        self.file = file
        self.format = format
        self.options = options
    }

    /// UTF-8 text from ReadStat, or nil after recording a typed failure.
    func text(_ p: UnsafePointer<CChar>?, _ context: @autoclosure () -> String) -> String? {
        guard let p else { return "" }
        if let s = String(validatingCString: p) { return s }
        if failure == nil {
            failure = .undecodableText(file: file, encoding: options.encoding ?? fileEncoding, context: context())
        }
        return nil
    }

    /// Like ``text(_:_:)`` but reads at most `limit` bytes: for strings that
    /// ReadStat hands over from fixed-width fields without guaranteeing a
    /// terminating NUL (a Stata variable's value-label name, whose last entry
    /// would otherwise be read past its buffer; found by the fuzzer).
    func text(_ p: UnsafePointer<CChar>?, limit: Int?, _ context: @autoclosure () -> String) -> String? {
        guard let p else { return "" }
        guard let limit else { return text(p, context()) }
        let bytes = UnsafeRawBufferPointer(start: p, count: strnlen(p, limit))
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        if failure == nil {
            failure = .undecodableText(file: file, encoding: options.encoding ?? fileEncoding, context: context())
        }
        return nil
    }

    /// The longest value-label name a Stata file of the given format version
    /// can hold, terminator included (format < 110: 9; 110–117: 33; 118+: 129).
    /// nil for other formats, whose names ReadStat terminates itself.
    var labelSetNameLimit: Int? {
        guard format == .dta else { return nil }
        return formatVersion >= 118 ? 129 : formatVersion >= 110 ? 33 : 9
    }

    /// Empty text as nil.
    func optionalText(_ p: UnsafePointer<CChar>?, _ context: @autoclosure () -> String) -> String?? {
        guard let s = text(p, context()) else { return .none }
        return .some(s.isEmpty ? nil : s)
    }

    func fail(_ e: ReadStatError) -> Int32 {
        if failure == nil { failure = e }
        return Int32(READSTAT_HANDLER_ABORT)
    }

    // MARK: callbacks

    func metadata(_ m: UnsafeMutablePointer<readstat_metadata_t>) -> Int32 {
        declaredRows = Int(readstat_get_row_count(m))
        formatVersion = Int(readstat_get_file_format_version(m))
        guard case .some(let enc) = optionalText(readstat_get_file_encoding(m), "file encoding"),
              case .some(let label) = optionalText(readstat_get_file_label(m), "file label")
        else { return Int32(READSTAT_HANDLER_ABORT) }
        fileEncoding = enc
        fileLabel = label
        return Int32(READSTAT_HANDLER_OK)
    }

    func note(_ p: UnsafePointer<CChar>?) -> Int32 {
        guard let s = text(p, "note \(notes.count + 1)") else { return Int32(READSTAT_HANDLER_ABORT) }
        notes.append(s)
        return Int32(READSTAT_HANDLER_OK)
    }

    func variable(_ index: Int32, _ v: UnsafeMutablePointer<readstat_variable_t>, _ labelSet: UnsafePointer<CChar>?) -> Int32 {
        guard Int(index) == slots.count else {
            return fail(.malformed(file: file, detail: "variable \(index) out of order"))
        }
        guard let name = text(readstat_variable_get_name(v), "name of variable \(index + 1)"), !name.isEmpty else {
            return failure == nil ? fail(.malformed(file: file, detail: "variable \(index + 1) has no name"))
                                  : Int32(READSTAT_HANDLER_ABORT)
        }
        guard case .some(let label) = optionalText(readstat_variable_get_label(v), "label of variable \(name)"),
              case .some(let format) = optionalText(readstat_variable_get_format(v), "format of variable \(name)"),
              case .some(let set) = text(labelSet, limit: labelSetNameLimit, "label set of variable \(name)").map({ $0.isEmpty ? nil : $0 })
        else { return Int32(READSTAT_HANDLER_ABORT) }
        allNames.append(name)
        if namesOnly || (options.columns.map { !$0.contains(name) && !alsoKeep.contains(name) } ?? false) {
            slots.append(nil)
            return Int32(READSTAT_HANDLER_SKIP_VARIABLE)
        }
        slots.append(columns.count)
        let isString = readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_STRING
        var missing = MissingValues()
        if !isString && options.userMissing == .honour {
            let n = readstat_variable_get_missing_ranges_count(v)
            if n > 0 {
                for i in 0..<n {
                    let lo = Self.number(readstat_variable_get_missing_range_lo(v, i))
                    let hi = Self.number(readstat_variable_get_missing_range_hi(v, i))
                    guard let lo, let hi, lo <= hi else { continue }
                    if lo == hi { missing.insert(lo) } else { missing.ranges.append(lo...hi) }
                }
            }
        }
        var column = Column(name: name, label: label, format: format, measure: readstat_variable_get_measure(v),
                            isString: isString, labelSet: set, missing: missing)
        let reserve = min(max(declaredRows, 0), Self.maxReservedRows)
        if isString { column.strings.reserveCapacity(reserve) } else { column.values.reserveCapacity(reserve) }
        columns.append(column)
        return Int32(READSTAT_HANDLER_OK)
    }

    func fweight(_ v: UnsafeMutablePointer<readstat_variable_t>) -> Int32 {
        let i = Int(readstat_variable_get_index(v))
        weightIndex = slots.indices.contains(i) ? slots[i] : nil
        if slots.indices.contains(i), allNames.indices.contains(i) { weightName = allNames[i] }
        return Int32(READSTAT_HANDLER_OK)
    }

    func valueLabel(_ setName: UnsafePointer<CChar>?, _ value: readstat_value_t, _ label: UnsafePointer<CChar>?) -> Int32 {
        guard let set = text(setName, limit: labelSetNameLimit, "value label set name"),
              let text = text(label, "a value label of set \(set)") else { return Int32(READSTAT_HANDLER_ABORT) }
        if readstat_value_is_tagged_missing(value) != 0 {
            if let tag = Self.tag(value) { taggedLabels[set, default: [:]][tag] = text }
        } else if readstat_value_type_class(value) == READSTAT_TYPE_CLASS_NUMERIC,
                  readstat_value_is_system_missing(value) == 0, let x = Self.number(value) {
            labelSets[set, default: [:]][x] = text
        }
        // Labels of string values (SPSS allows them) have no place in the
        // numeric model and are skipped.
        return Int32(READSTAT_HANDLER_OK)
    }

    func value(_ row: Int32, _ v: UnsafeMutablePointer<readstat_variable_t>, _ value: readstat_value_t) -> Int32 {
        let i = Int(readstat_variable_get_index(v))
        let r = Int(row)
        guard slots.indices.contains(i), let j = slots[i], columns.indices.contains(j), r >= 0 else {
            return fail(.malformed(file: file, detail: "value for unknown variable \(i) at row \(r + 1)"))
        }
        guard columns[j].count == r else {
            return fail(.malformed(file: file, detail: "row \(r + 1) of variable \(columns[j].name) out of order"))
        }
        if columns[j].isString {
            if readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING {
                guard let s = text(readstat_string_value(value), "value of \(columns[j].name) at row \(r + 1)") else {
                    return Int32(READSTAT_HANDLER_ABORT)
                }
                columns[j].strings.append(s)
            } else {
                columns[j].strings.append("")
            }
        } else {
            let x: Double
            if readstat_value_is_tagged_missing(value) != 0, let tag = Self.tag(value),
               let nan = ExtendedMissing.value(for: tag) {
                x = nan
            } else if readstat_value_is_system_missing(value) != 0 {
                x = .nan
            } else {
                x = Self.number(value) ?? .nan
            }
            columns[j].values.append(x)
        }
        return Int32(READSTAT_HANDLER_OK)
    }

    // MARK: assembling

    /// The dataset built from the collected columns.
    func result(format: ReadStatFormat) throws(ReadStatError) -> ReadStatFile {
        let rows = columns.map(\.count).max() ?? 0
        if let bad = columns.first(where: { $0.count != rows }) {
            throw .malformed(file: file, detail: "variable \(bad.name) has \(bad.count) rows, others \(rows)")
        }
        var extended: [String: [Character: String]] = [:]
        let variables = columns.map { c -> Variable in
            if c.isString {
                var v = Variable(name: c.name, label: c.label, strings: c.strings)
                v.format = c.format
                return v
            }
            let labels = c.labelSet.flatMap { labelSets[$0] } ?? [:]
            if let set = c.labelSet, let tagged = taggedLabels[set] { extended[c.name] = tagged }
            return Variable(name: c.name, label: c.label, level: Self.level(c.measure, labelled: !labels.isEmpty),
                            values: c.values, valueLabels: labels, missing: c.missing, format: c.format)
        }
        let weight = weightIndex.flatMap { columns.indices.contains($0) ? columns[$0].name : nil }
        let data: Dataset
        do { data = try Dataset(variables: variables, weightVariable: weight) }
        catch { throw .invalidData(file: file, error: error) }
        return ReadStatFile(format: format, dataset: data, fileLabel: fileLabel, notes: notes,
                            formatVersion: formatVersion, fileEncoding: fileEncoding,
                            extendedMissingLabels: extended)
    }

    /// Levels as the file records them; files without levels (Stata, SAS,
    /// or SPSS "unknown") get nominal for labelled numeric variables and
    /// scale otherwise.
    static func level(_ m: readstat_measure_t, labelled: Bool) -> MeasurementLevel {
        switch m {
        case READSTAT_MEASURE_NOMINAL: return .nominal
        case READSTAT_MEASURE_ORDINAL: return .ordinal
        case READSTAT_MEASURE_SCALE: return .scale
        default: return labelled ? .nominal : .scale
        }
    }

    /// A numeric value as Double (floats converted exactly), nil for strings.
    static func number(_ value: readstat_value_t) -> Double? {
        switch readstat_value_type(value) {
        case READSTAT_TYPE_INT8: return Double(readstat_int8_value(value))
        case READSTAT_TYPE_INT16: return Double(readstat_int16_value(value))
        case READSTAT_TYPE_INT32: return Double(readstat_int32_value(value))
        case READSTAT_TYPE_FLOAT: return Double(readstat_float_value(value))
        case READSTAT_TYPE_DOUBLE: return readstat_double_value(value)
        default: return nil
        }
    }

    /// The tag of a tagged missing value, normalised to `a`…`z` or `_`.
    static func tag(_ value: readstat_value_t) -> Character? {
        let c = UInt8(bitPattern: readstat_value_tag(value))
        return ExtendedMissing.value(for: Character(Unicode.Scalar(c))).flatMap(ExtendedMissing.tag(of:))
    }
}
