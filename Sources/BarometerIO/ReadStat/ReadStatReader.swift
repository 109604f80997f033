import Barometer
import CReadStat

/// Reads SPSS (`.sav`, `.zsav`, `.por`), Stata (`.dta`, formats 104–119)
/// and SAS (`.sas7bdat`, `.xpt`) files through the ReadStat C library.
///
/// The file is read once: ReadStat's callbacks deliver the metadata, the
/// variables, value labels, notes and then the values row by row, which are
/// appended straight to the columns of a `Dataset`. What the
/// format carries arrives in the model:
/// - variable labels, value labels (label sets joined to their variables),
///   measurement levels (SPSS; other formats: nominal if labelled, else
///   scale), display/date formats in `Variable.format` (dates
///   stay numbers: SPSS seconds since 1582-10-14, Stata days or
///   milliseconds since 1960-01-01, SAS days or seconds since 1960-01-01);
/// - SPSS user-missing codes and ranges in `Variable.missing`
///   (kept as codes, not turned into NaN; see ``ReadStatOptions/userMissing``);
/// - Stata/SAS extended missing values `.a`…`.z` as tagged NaNs
///   (`ExtendedMissing`), distinct from `.` and each other;
/// - string variables as `Variable.strings` (empty = missing);
/// - the file's weight variable as `Dataset.weightVariable`.
///
/// Text is decoded to UTF-8 from the file's declared encoding or from
/// ``ReadStatOptions/encoding``; text that does not decode is an error,
/// never silently replaced. Every failure is a ``ReadStatError`` naming the
/// file; malformed input never traps.
public enum ReadStatReader {
    /// Reads `path` as `format` (default: from the extension, else from the
    /// magic bytes).
    public static func read(path: String, format: ReadStatFormat? = nil,
                            options: ReadStatOptions = ReadStatOptions()) throws(ReadStatError) -> ReadStatFile {
        guard let format = format ?? ReadStatFormat(extension: Self.fileExtension(path))
                ?? ReadStatFormat.detect(ReadStatFormat.head(of: path)) else {
            throw .unknownFormat(file: path)
        }
        return try collect(path, format: format, options: options, memory: nil)
    }

    /// Reads an SPSS/Stata/SAS file held in memory (ReadStat's custom I/O
    /// handlers read the bytes: no temporary file). `name` stands for the
    /// file in messages. `format` defaults to the one the magic bytes show.
    public static func read(bytes: [UInt8], name: String = "(memory)", format: ReadStatFormat? = nil,
                            options: ReadStatOptions = ReadStatOptions()) throws(ReadStatError) -> ReadStatFile {
        guard let format = format ?? ReadStatFormat.detect(Array(bytes.prefix(1024))) else { throw .unknownFormat(file: name) }
        return try collect(name, format: format, options: options, memory: ReadStatMemoryIO(bytes))
    }

    /// The parse behind both `read`s: with a column selection of an SPSS file,
    /// first the dictionary alone (the weight variable is named only after
    /// every variable has been handed over, too late to keep it), then the data.
    private static func collect(_ path: String, format: ReadStatFormat, options: ReadStatOptions,
                                memory: ReadStatMemoryIO?) throws(ReadStatError) -> ReadStatFile {
        let collector = ReadStatCollector(file: path, format: format, options: options)
        if options.columns != nil && (format == .sav || format == .zsav),
           let w = try dictionary(path, format: format, options: options, memory: memory).weightName {
            collector.alsoKeep.insert(w)
        }
        try parse(path: path, format: format, options: options, collector: collector, values: true, memory: memory)
        if let selection = options.columns, let missing = selection.sorted().first(where: { !collector.allNames.contains($0) }) {
            throw .invalidData(file: path, error: .unknownVariable(missing, suggestions: Codebook.suggestions(missing, collector.allNames)))
        }
        return try collector.result(format: format)
    }

    /// Streams `path` in chunks of `chunkRows` rows, each a `Dataset` with
    /// the file's labels, value labels, missing codes and levels, holding only
    /// `columns` (nil: all; an SPSS file's weight is kept, as by ``read(path:format:options:)``):
    /// memory is bounded by a chunk, not the file. Two passes: the first reads
    /// the dictionary and the value labels (a Stata file stores them after the
    /// data) without the values, the second delivers the rows, which ReadStat
    /// parses one by one. Chunks arrive in file order; `body`'s errors stop the
    /// parse and are rethrown. A file without rows calls `body` never.
    /// - Throws: ``ReadStatError`` as ``read(path:format:options:)`` (an unknown
    ///   column is `invalidData` naming it), or what `body` throws.
    public static func forEachChunk(path: String, format: ReadStatFormat? = nil, options: ReadStatOptions = ReadStatOptions(),
                                    columns: Set<String>? = nil, chunkRows: Int = 65_536,
                                    _ body: (Dataset) throws -> Void) throws {
        guard let format = format ?? ReadStatFormat(extension: Self.fileExtension(path))
                ?? ReadStatFormat.detect(ReadStatFormat.head(of: path)) else {
            throw ReadStatError.unknownFormat(file: path)
        }
        var options = options
        if let c = columns { options.columns = c }
        let names = try dictionary(path, format: format, options: options, memory: nil)
        if let selection = options.columns, let missing = selection.sorted().first(where: { !names.allNames.contains($0) }) {
            throw ReadStatError.invalidData(file: path, error: .unknownVariable(missing, suggestions: Codebook.suggestions(missing, names.allNames)))
        }
        let collector = ReadStatCollector(file: path, format: format, options: options)
        collector.labelSets = names.labelSets
        collector.taggedLabels = names.taggedLabels
        if options.columns != nil, let w = names.weightName { collector.alsoKeep.insert(w) }
        collector.chunkRows = max(chunkRows, 1)
        try withoutActuallyEscaping(body) { sink in
            collector.sink = sink
            defer { collector.sink = nil }
            do {
                try parse(path: path, format: format, options: options, collector: collector, values: true)
            } catch {
                if let e = collector.sinkError { throw e }
                throw error
            }
            if let e = collector.sinkError { throw e }
            guard collector.flush() else {
                if let e = collector.sinkError { throw e }
                if let e = collector.failure { throw e }
                return
            }
        }
    }

    /// The names of the variables of `path`, in file order, from its
    /// dictionary alone (no data is read).
    public static func variableNames(path: String, format: ReadStatFormat,
                                     options: ReadStatOptions = ReadStatOptions()) throws(ReadStatError) -> [String] {
        try dictionary(path, format: format, options: options, memory: nil).allNames
    }

    /// A pass over the dictionary alone: every variable is skipped and no value handler is set.
    private static func dictionary(_ path: String, format: ReadStatFormat, options: ReadStatOptions,
                                   memory: ReadStatMemoryIO?) throws(ReadStatError) -> ReadStatCollector {
        let names = ReadStatCollector(file: path, format: format, options: options)
        names.namesOnly = true
        try parse(path: path, format: format, options: options, collector: names, values: false, memory: memory)
        return names
    }

    /// One ReadStat parse of `path` into `collector` (without `values`, the dictionary only).
    /// With `memory`, ReadStat reads its bytes (custom I/O handlers) and `path` only names them.
    private static func parse(path: String, format: ReadStatFormat, options: ReadStatOptions,
                              collector: ReadStatCollector, values: Bool,
                              memory: ReadStatMemoryIO? = nil) throws(ReadStatError) {
        guard let parser = readstat_parser_init() else { throw .outOfMemory(file: path) }
        defer { readstat_parser_free(parser) }
        memory?.install(on: parser)
        readstat_set_metadata_handler(parser) { m, ctx in
            guard let m, let ctx else { return Int32(READSTAT_HANDLER_ABORT) }
            return Unmanaged<ReadStatCollector>.fromOpaque(ctx).takeUnretainedValue().metadata(m)
        }
        readstat_set_note_handler(parser) { _, note, ctx in
            guard let ctx else { return Int32(READSTAT_HANDLER_ABORT) }
            return Unmanaged<ReadStatCollector>.fromOpaque(ctx).takeUnretainedValue().note(note)
        }
        readstat_set_variable_handler(parser) { index, v, labels, ctx in
            guard let v, let ctx else { return Int32(READSTAT_HANDLER_ABORT) }
            return Unmanaged<ReadStatCollector>.fromOpaque(ctx).takeUnretainedValue().variable(index, v, labels)
        }
        readstat_set_fweight_handler(parser) { v, ctx in
            guard let v, let ctx else { return Int32(READSTAT_HANDLER_ABORT) }
            return Unmanaged<ReadStatCollector>.fromOpaque(ctx).takeUnretainedValue().fweight(v)
        }
        readstat_set_value_label_handler(parser) { set, value, label, ctx in
            guard let ctx else { return Int32(READSTAT_HANDLER_ABORT) }
            return Unmanaged<ReadStatCollector>.fromOpaque(ctx).takeUnretainedValue().valueLabel(set, value, label)
        }
        if values {
            readstat_set_value_handler(parser) { row, v, value, ctx in
                guard let v, let ctx else { return Int32(READSTAT_HANDLER_ABORT) }
                return Unmanaged<ReadStatCollector>.fromOpaque(ctx).takeUnretainedValue().value(row, v, value)
            }
        }
        readstat_set_error_handler(parser) { message, ctx in
            guard let message, let ctx else { return }
            let c = Unmanaged<ReadStatCollector>.fromOpaque(ctx).takeUnretainedValue()
            c.lastMessage = ReadStatError.printable(UnsafeRawBufferPointer(start: message, count: strlen(message)))
                .trimmingSuffix()
        }
        let ctx = Unmanaged.passUnretained(collector).toOpaque()
        func parse() -> readstat_error_t {
            withExtendedLifetime((collector, memory)) {
                switch format {
                case .sav, .zsav: return readstat_parse_sav(parser, path, ctx)
                case .por: return readstat_parse_por(parser, path, ctx)
                case .dta: return readstat_parse_dta(parser, path, ctx)
                case .sas7bdat: return readstat_parse_sas7bdat(parser, path, ctx)
                case .xpt: return readstat_parse_xport(parser, path, ctx)
                }
            }
        }
        let rc: readstat_error_t
        if let enc = options.encoding {
            // ReadStat keeps the pointer (it does not copy the name), so the
            // C string must outlive the whole parse. (Found by the fuzzer:
            // heap-use-after-free in readstat_parse_xport.)
            rc = enc.withCString { name in
                let set = readstat_set_file_character_encoding(parser, name)
                return set == READSTAT_OK ? parse() : set
            }
        } else {
            rc = parse()
        }
        if let failure = collector.failure { throw failure }
        if collector.sinkError != nil { return }   // forEachChunk rethrows it
        guard rc == READSTAT_OK else {
            throw ReadStatError(code: rc, file: path, detail: collector.lastMessage,
                                encoding: options.encoding ?? collector.fileEncoding, reading: true)
        }
    }

    /// The extension of `path` without the dot ("" when none).
    static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }
}

extension String {
    func trimmingSuffix() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
