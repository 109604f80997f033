import Barometer
import BarometerIO
import Foundation
import Testing

/// The CSV reader's one-word fast path for short decimals (issue 21) against
/// Python's `csv` module and `float()` (Fixtures/reference/csv/make_short_decimals.py):
/// cells of 1–7 digits around a dot and just outside that shape (more digits,
/// no digit on one side, exponents, blanks, signs), ended by a comma, LF, CRLF
/// or the end of the file, bit for bit, whatever the piece size (tiny pieces put
/// every cell next to a piece's end, where the word would run past it).
@Suite struct ShortDecimalTests {
    struct Ref: Decodable { let header: [String]; let bits: [[String]] }

    @Test(arguments: [4 << 20, 64, 7, 1])
    func shortDecimalsMatchPythonFloatBitForBit(chunkSize: Int) throws {
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/csv/short_decimals.json")
        let data = try CSVReader.read(path: Fixture.path("Fixtures/csv/short_decimals.csv"), codebook: nil,
                                      options: CSVOptions(chunkSize: chunkSize))
        #expect(data.variableNames == ref.header)
        #expect(data.rowCount == ref.bits.count)
        for (j, name) in ref.header.enumerated() {
            let v = try data.variable(name)
            #expect(!v.isString, "column \(name)")
            for (i, row) in ref.bits.enumerated() where i < v.values.count {
                let got = String(v.values[i].bitPattern, radix: 16)
                let want = String(row[j].drop { $0 == "0" })
                #expect(got == (want.isEmpty ? "0" : want), "row \(i + 1), column \(name): \(v.values[i])")
            }
        }
    }
}
