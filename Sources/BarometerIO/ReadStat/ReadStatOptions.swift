/// How ``ReadStatReader`` reads a file.
public struct ReadStatOptions: Sendable, Equatable {
    /// What to do with the user-missing codes an SPSS file declares
    /// (`MISSING VALUES q1 (8, 9)`, `income (97 THRU 99)`).
    public enum UserMissing: String, Sendable, Codable {
        /// Keep them in `Variable.missing`: the codes stay in the
        /// data as user-missing ("Don't know", "Refused"), distinct from
        /// system-missing. The default, as in SPSS.
        case honour
        /// Drop the declaration: the codes become ordinary valid values
        /// (their value labels are kept). Nothing is turned into NaN.
        case ignore
    }

    /// User-missing rule; default ``UserMissing/honour``.
    public var userMissing: UserMissing
    /// The file's character encoding as an iconv name (e.g. `WINDOWS-1251`,
    /// `CP866`), overriding what the file declares. Needed for formats that
    /// do not record their code page (Stata before 14, i.e. format < 118, which
    /// ReadStat otherwise reads as WINDOWS-1252; old SPSS files without an
    /// encoding record). Text is always delivered as UTF-8.
    public var encoding: String?
    /// The variables to keep; `nil` (the default) keeps every variable. The
    /// others are skipped by ReadStat's variable handler
    /// (`READSTAT_HANDLER_SKIP_VARIABLE`): their values are never delivered
    /// nor stored, so memory is that of the kept variables. An SPSS file's
    /// weight variable is always kept (it is the default weight). A name the
    /// file does not have is ``ColumnSelectionError/unknownVariable(_:file:suggestions:)``.
    /// Variables come out in file order.
    public var columns: Set<String>?

    /// - Parameters:
    ///   - userMissing: What to do with declared user-missing codes (default ``UserMissing/honour``).
    ///   - encoding: An iconv encoding name overriding the file's own (nil: as the file declares).
    ///   - columns: The variables to keep (nil: every variable).
    public init(userMissing: UserMissing = .honour, encoding: String? = nil, columns: Set<String>? = nil) {
        self.userMissing = userMissing
        self.encoding = encoding
        self.columns = columns
    }
}
