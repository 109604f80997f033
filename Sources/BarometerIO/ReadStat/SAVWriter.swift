import Barometer
import CReadStat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `Dataset` as an SPSS system file (`.sav`, or
/// `.zsav` with ``Compression/zlib``) through ReadStat's writer, so that a
/// recoded or filtered survey can go back to SPSS users.
///
/// What is written: every variable with its name, label, measurement level,
/// value labels (numeric variables), user-missing codes and ranges, and its
/// format when it is an SPSS format (`F8.2`, `DATE11`, …; Stata/SAS formats
/// are dropped); strings as SPSS string variables of the longest value's
/// UTF-8 width; the dataset's weight variable as SPSS `WEIGHT BY`; text is
/// UTF-8 (the file's encoding record says so).
///
/// Limits (SPSS's, reported as ``ReadStatError/writeFailed(file:detail:)``):
/// at most three discrete user-missing codes, or one range plus one code;
/// variable names must be valid SPSS names. System-missing values are
/// written as SPSS system-missing; Stata/SAS extended missing tags have no
/// SPSS equivalent and are also written as system-missing.
public enum SAVWriter {
    /// Row compression of the written file.
    public enum Compression: Sendable {
        /// Uncompressed `.sav`.
        case none
        /// SPSS bytecode row compression (the usual `.sav`).
        case rows
        /// zlib block compression (`.zsav`, SPSS 21+).
        case zlib
    }

    final class Sink {
        let file: UnsafeMutablePointer<FILE>
        var message: String?
        init(file: UnsafeMutablePointer<FILE>) { self.file = file }
    }

    /// Writes `data` to `path` (replacing it).
    /// - Throws: ``ReadStatError/writeFailed(file:detail:)`` (cannot create the
    ///   file, invalid names, too many missing codes, I/O errors); the
    ///   partial file is removed.
    public static func write(_ data: Dataset, to path: String, compression: Compression = .rows,
                             fileLabel: String? = nil) throws(ReadStatError) {
        guard let fp = fopen(path, "wb") else {
            throw .writeFailed(file: path, detail: "cannot create the file")
        }
        let sink = Sink(file: fp)
        do throws(ReadStatError) {
            try withExtendedLifetime(sink) { () throws(ReadStatError) in
                try emit(data, sink: sink, path: path, compression: compression, fileLabel: fileLabel)
            }
        } catch {
            fclose(fp)
            unlink(path)
            throw error
        }
        guard fclose(fp) == 0 else {
            unlink(path)
            throw .writeFailed(file: path, detail: "closing the file failed")
        }
    }

    private static func emit(_ data: Dataset, sink: Sink, path: String, compression: Compression,
                             fileLabel: String?) throws(ReadStatError) {
        guard let writer = readstat_writer_init() else { throw .outOfMemory(file: path) }
        defer { readstat_writer_free(writer) }
        func check(_ rc: readstat_error_t) throws(ReadStatError) {
            guard rc == READSTAT_OK else { throw ReadStatError(code: rc, file: path, detail: sink.message) }
        }
        try check(readstat_set_data_writer(writer) { bytes, length, ctx in
            guard let bytes, let ctx else { return -1 }
            let sink = Unmanaged<Sink>.fromOpaque(ctx).takeUnretainedValue()
            return fwrite(bytes, 1, length, sink.file) == length ? Int(length) : -1
        })
        try check(readstat_writer_set_error_handler(writer) { message, ctx in
            guard let message, let ctx else { return }
            Unmanaged<Sink>.fromOpaque(ctx).takeUnretainedValue().message =
                String(decoding: UnsafeRawBufferPointer(start: message, count: strlen(message)), as: UTF8.self)
        })
        switch compression {
        case .none: try check(readstat_writer_set_compression(writer, READSTAT_COMPRESS_NONE))
        case .rows: try check(readstat_writer_set_compression(writer, READSTAT_COMPRESS_ROWS))
        case .zlib: try check(readstat_writer_set_compression(writer, READSTAT_COMPRESS_BINARY))
        }
        if let fileLabel { try check(readstat_writer_set_file_label(writer, fileLabel)) }

        var columns: [UnsafeMutablePointer<readstat_variable_t>] = []
        for (j, v) in data.variables.enumerated() {
            let column: UnsafeMutablePointer<readstat_variable_t>?
            if let strings = v.strings {
                let width = max(1, strings.map(\.utf8.count).max() ?? 1)
                column = readstat_add_variable(writer, v.name, READSTAT_TYPE_STRING, width)
            } else {
                column = readstat_add_variable(writer, v.name, READSTAT_TYPE_DOUBLE, 0)
            }
            guard let column else { throw .outOfMemory(file: path) }
            if let label = v.label { readstat_variable_set_label(column, label) }
            if let format = v.format, isSPSSFormat(format) { readstat_variable_set_format(column, format) }
            switch v.level {
            case .nominal: readstat_variable_set_measure(column, READSTAT_MEASURE_NOMINAL)
            case .ordinal: readstat_variable_set_measure(column, READSTAT_MEASURE_ORDINAL)
            case .scale: readstat_variable_set_measure(column, READSTAT_MEASURE_SCALE)
            }
            if !v.isString {
                if !v.valueLabels.isEmpty {
                    guard let set = readstat_add_label_set(writer, READSTAT_TYPE_DOUBLE, "labels\(j)") else {
                        throw .outOfMemory(file: path)
                    }
                    for code in v.valueLabels.keys.sorted() {
                        readstat_label_double_value(set, code, v.valueLabels[code] ?? "")
                    }
                    readstat_variable_set_label_set(column, set)
                }
                for r in v.missing.ranges {
                    try check(readstat_variable_add_missing_double_range(column, r.lowerBound, r.upperBound))
                }
                for c in v.missing.codes {
                    try check(readstat_variable_add_missing_double_value(column, c))
                }
            }
            columns.append(column)
        }
        if let w = data.weightVariable, let j = data.variableNames.firstIndex(of: w) {
            guard !data.variables[j].isString else {
                throw .writeFailed(file: path, detail: "weight variable \(w) is a string variable")
            }
            try check(readstat_writer_set_fweight_variable(writer, columns[j]))
        }
        let ctx = Unmanaged.passUnretained(sink).toOpaque()
        try check(readstat_begin_writing_sav(writer, ctx, data.rowCount))
        try check(readstat_validate_metadata(writer))
        for column in columns { try check(readstat_validate_variable(writer, column)) }
        for r in 0..<data.rowCount {
            try check(readstat_begin_row(writer))
            for (j, v) in data.variables.enumerated() {
                if let strings = v.strings {
                    try check(readstat_insert_string_value(writer, columns[j], strings[r]))
                } else if v.values[r].isNaN {
                    try check(readstat_insert_missing_value(writer, columns[j]))
                } else {
                    try check(readstat_insert_double_value(writer, columns[j], v.values[r]))
                }
            }
            try check(readstat_end_row(writer))
        }
        try check(readstat_end_writing(writer))
    }

    /// Whether `format` looks like an SPSS print format (`F8.2`, `A20`,
    /// `DATE11`, `DATETIME20`, `COMMA9.2`): letters, a width, optional decimals.
    static func isSPSSFormat(_ format: String) -> Bool {
        var letters = 0, digits = 0, sawDot = false, decimals = 0
        for ch in format.unicodeScalars {
            switch ch {
            case "A"..."Z" where digits == 0 && !sawDot: letters += 1
            case "0"..."9": if sawDot { decimals += 1 } else { digits += 1 }
            case "." where digits > 0 && !sawDot: sawDot = true
            default: return false
            }
        }
        return letters > 0 && digits > 0 && (!sawDot || decimals > 0)
    }
}
