import Foundation

/// The statistical-package file formats read through ReadStat.
public enum ReadStatFormat: String, Sendable, CaseIterable, Codable {
    /// SPSS system file (`$FL2`).
    case sav
    /// SPSS compressed system file (`$FL3`, zlib blocks).
    case zsav
    /// SPSS portable file (text, `SPSSPORT` after the 456-byte header).
    case por
    /// Stata 104–119 (`<stata_dta>` for 117+, a version byte before).
    case dta
    /// SAS data set.
    case sas7bdat
    /// SAS transport (XPORT v5 or v8).
    case xpt

    /// The format named by a file extension (case-insensitive, without the
    /// dot), or nil.
    public init?(extension ext: String) {
        switch ext.lowercased() {
        case "sav": self = .sav
        case "zsav": self = .zsav
        case "por": self = .por
        case "dta": self = .dta
        case "sas7bdat": self = .sas7bdat
        case "xpt", "xport": self = .xpt
        default: return nil
        }
    }

    /// The format recognised from a file's first bytes (at least 1 KiB when
    /// available), or nil.
    ///
    /// Signatures: SPSS `$FL2` (sav) / `$FL3` (zsav) at offset 0; Stata 117+
    /// `<stata_dta>`; Stata 104–116 a version byte 104…116 followed by a
    /// byte order 1 (HILO) or 2 (LOHI) and file type 1; SAS7BDAT's 32-byte
    /// magic number; XPORT `HEADER RECORD*******LIB`; SPSS portable
    /// `SPSSPORT` at offset 456 once line breaks are removed.
    public static func detect(_ head: [UInt8]) -> ReadStatFormat? {
        func starts(_ s: String) -> Bool { head.starts(with: Array(s.utf8)) }
        if starts("$FL2") { return .sav }
        if starts("$FL3") { return .zsav }
        if starts("<stata_dta>") { return .dta }
        if head.count >= 4, (104...116).contains(head[0]), head[1] == 1 || head[1] == 2, head[2] == 1 {
            return .dta
        }
        if head.count >= 32, Array(head[12..<32]) == sasMagic, head[0..<12].allSatisfy({ $0 == 0 }) {
            return .sas7bdat
        }
        if starts("HEADER RECORD*******LIB") { return .xpt }
        let text = head.filter { $0 != 0x0D && $0 != 0x0A }
        if text.count >= 464, Array(text[456..<464]) == Array("SPSSPORT".utf8) { return .por }
        return nil
    }

    /// Bytes 12–31 of every SAS7BDAT file.
    static let sasMagic: [UInt8] = [0xC2, 0xEA, 0x81, 0x60, 0xB3, 0x14, 0x11, 0xCF, 0xBD, 0x92,
                                    0x08, 0x00, 0x09, 0xC7, 0x31, 0x8C, 0x18, 0x1F, 0x10, 0x11]

    /// Reads up to `count` bytes from the start of `path` (empty when the
    /// file cannot be read).
    static func head(of path: String, count: Int = 1024) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return (try? h.read(upToCount: count)).map { [UInt8]($0) } ?? []
    }

    /// Whether `self` and `other` share a reader (sav and zsav do).
    func sameReader(as other: ReadStatFormat) -> Bool {
        let spss: Set<ReadStatFormat> = [.sav, .zsav]
        return self == other || (spss.contains(self) && spss.contains(other))
    }
}
