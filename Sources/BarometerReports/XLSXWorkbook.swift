import Barometer
import BarometerIO
import BarometerClaims
import Foundation
import ZIPFoundation

/// A minimal Office Open XML spreadsheet (`.xlsx`) writer: sheets of numbers
/// and text cells with a few number formats, zipped with ZIPFoundation.
///
/// Numbers are stored as numbers (with their full binary value; the format
/// only changes the display), text as inline strings, so Excel, LibreOffice
/// and openpyxl read the same values back. Entries carry a fixed timestamp,
/// so the same workbook gives the same bytes.
public struct XLSXWorkbook: Sendable {
    /// One cell.
    public enum Cell: Sendable, Equatable {
        /// A cell with nothing in it.
        case empty
        /// A text cell (an inline string), optionally in bold.
        case text(String, bold: Bool = false)
        /// A number shown with `decimals` digits after the point.
        case number(Double, decimals: Int)
    }

    /// One sheet: its name (≤ 31 characters, no `[]:*?/\`) and rows of cells.
    public struct Sheet: Sendable {
        /// The tab name; when written, `[]:*?/\` become `_`, it is cut to 31 characters and made unique.
        public var name: String
        /// The rows from the top, each a list of cells from column A.
        public var rows: [[Cell]]
        /// - Parameters:
        ///   - name: The tab name (made valid and unique when written).
        ///   - rows: The rows from the top, each a list of cells from column A.
        public init(name: String, rows: [[Cell]]) { self.name = name; self.rows = rows }
    }

    /// The sheets, in tab order.
    public var sheets: [Sheet]
    /// A workbook of `sheets`, in tab order (at least one is needed to write it).
    public init(sheets: [Sheet]) { self.sheets = sheets }

    /// Writes the workbook to `path` (replacing it).
    /// - Throws: `BarometerError.invalidArgument(_:)` when there is no sheet,
    ///   and `BarometerError.io(_:)`-style errors naming the path when it cannot be written.
    public func write(to path: String) throws(BarometerError) {
        guard !sheets.isEmpty else { throw .invalidArgument("a workbook needs at least one sheet") }
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.removeItem(at: url)
        do {
            let archive = try Archive(url: url, accessMode: .create)
            for (name, text) in entries() {
                let data = Data(text.utf8)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: Date(timeIntervalSince1970: 315_532_800),
                                     compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
        } catch {
            throw .invalidArgument("cannot write the workbook \(path): \(error)")
        }
    }

    /// Unique sheet names that Excel accepts.
    func sheetNames() -> [String] {
        var used = Set<String>(), out: [String] = []
        for s in sheets {
            var base = String(s.name.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
            if base.isEmpty { base = "Sheet" }
            var name = base, k = 2
            while used.contains(name.lowercased()) { let suffix = " (\(k))"; name = String(base.prefix(31 - suffix.count)) + suffix; k += 1 }
            used.insert(name.lowercased()); out.append(name)
        }
        return out
    }

    /// The package parts: content types, relationships, workbook, styles, sheets.
    func entries() -> [(String, String)] {
        let e = XMLText.escape
        let names = sheetNames()
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        var out: [(String, String)] = []
        out.append(("[Content_Types].xml", header + """
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        \(names.indices.map { "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined())\
        </Types>
        """))
        out.append(("_rels/.rels", header + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """))
        out.append(("xl/workbook.xml", header + """
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
        \(names.enumerated().map { "<sheet name=\"\(e($0.element))\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }.joined())\
        </sheets></workbook>
        """))
        out.append(("xl/_rels/workbook.xml.rels", header + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        \(names.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined())\
        <Relationship Id="rId\(names.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
        </Relationships>
        """))
        // Styles: 0 general, 1 bold text, 2 "0", 3 "0.0", 4 "0.00", 5 "0.000", 6 "0.0000".
        out.append(("xl/styles.xml", header + """
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="4"><numFmt numFmtId="164" formatCode="0.0"/><numFmt numFmtId="165" formatCode="0.00"/>\
        <numFmt numFmtId="166" formatCode="0.000"/><numFmt numFmtId="167" formatCode="0.0000"/></numFmts>\
        <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border/></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        </styleSheet>
        """))
        for (k, sheet) in sheets.enumerated() {
            var xml = header + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            for (r, row) in sheet.rows.enumerated() {
                xml += "<row r=\"\(r + 1)\">"
                for (c, cell) in row.enumerated() {
                    let ref = ColumnLetters.name(c) + String(r + 1)
                    switch cell {
                    case .empty: continue
                    case .text(let s, let bold):
                        xml += "<c r=\"\(ref)\" t=\"inlineStr\"\(bold ? " s=\"1\"" : "")><is><t xml:space=\"preserve\">\(e(Self.xmlSafe(s)))</t></is></c>"
                    case .number(let x, let decimals):
                        guard x.isFinite else { xml += "<c r=\"\(ref)\" t=\"inlineStr\"><is><t>n/a</t></is></c>"; continue }
                        xml += "<c r=\"\(ref)\" s=\"\(2 + min(max(decimals, 0), 4))\"><v>\(x)</v></c>"
                    }
                }
                xml += "</row>"
            }
            out.append(("xl/worksheets/sheet\(k + 1).xml", xml + "</sheetData></worksheet>"))
        }
        return out
    }

    /// Drops the control characters XML 1.0 cannot carry.
    static func xmlSafe(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
    }
}

extension XLSXWorkbook {
    /// A banner book as a workbook: one sheet per stub question. Each banner
    /// column takes two spreadsheet columns, the value (a number: percentage
    /// or mean) and its significance letters (text); then the three bases and
    /// the notes. With `provenance`, a last sheet "Provenance" lists what
    /// produced the workbook (Barometer version, inputs with their SHA-256,
    /// options, time).
    public init(_ book: BannerBook, provenance: Provenance? = nil) {
        let text = book.textTables
        var sheets: [Sheet] = []
        for (k, t) in book.tables.enumerated() {
            var rows: [[Cell]] = [[.text("\(t.title) (\(t.variable))", bold: true)], []]
            var head: [Cell] = [.empty]
            for c in book.columns { head += [.text(c.letter.isEmpty ? c.label : "\(c.label) (\(c.letter))", bold: true), .empty] }
            rows.append(head)
            let decimals = t.rows.first?.kind == .mean ? 2 : 1
            for row in t.rows {
                var cells: [Cell] = [.text(row.label)]
                for cell in row.cells {
                    cells.append(cell.value.map { .number($0, decimals: decimals) } ?? .text("–"))
                    cells.append(cell.letters.isEmpty ? .empty : .text(cell.letters))
                }
                rows.append(cells)
            }
            rows.append([.text("Unweighted base")] + t.bases.flatMap { [Cell.number(Double($0.unweighted), decimals: 0), .empty] })
            rows.append([.text("Weighted base")] + t.bases.flatMap { [Cell.number($0.weighted, decimals: 1), .empty] })
            rows.append([.text("Effective base")] + t.bases.flatMap { [Cell.number($0.effective, decimals: 1), .empty] })
            rows.append([])
            for note in text[k].notes { rows.append([.text(note)]) }
            sheets.append(Sheet(name: t.variable, rows: rows))
        }
        if let provenance { sheets.append(Sheet(name: "Provenance", rows: provenance.lines.map { [.text($0)] })) }
        self.init(sheets: sheets)
    }
}
