import Barometer
import BarometerIO
import Foundation
import Testing

/// `.sav` writing: what pyreadstat wrote must survive a write/read round
/// trip unchanged (values, labels, value labels, user-missing codes and
/// ranges, levels, formats, strings), and the written file must read the
/// same in pyreadstat (make_readstat.py checks the committed
/// Fixtures/readstat/written_by_barometer.sav).
@Suite struct SAVWriterTests {
    let reader: ReadStatReaderTests
    init() throws { reader = try ReadStatReaderTests() }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-sav-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func source() throws -> Dataset {
        var data = try ReadStatReader.read(path: ReadStatReaderTests.path("survey.sav")).dataset
        data.weightVariable = "wt"
        return data
    }

    @Test(arguments: [("out.sav", SAVWriter.Compression.rows), ("out.zsav", .zlib), ("plain.sav", .none)])
    func roundTripKeepsEverything(name: String, compression: SAVWriter.Compression) throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent(name).path
        try SAVWriter.write(try source(), to: out, compression: compression, fileLabel: "Барометр")
        try reader.check("survey.sav", path: out)
        let back = try ReadStatReader.read(path: out)
        #expect(back.dataset.weightVariable == "wt")
        #expect(back.fileLabel == "Барометр")
        #expect(back.format == (compression == .zlib ? .zsav : .sav))
    }

    @Test func committedWriterOutputStillReads() throws {
        // Written by this writer and checked with pyreadstat by make_readstat.py.
        try reader.check("survey.sav", path: ReadStatReaderTests.path("written_by_barometer.sav"))
    }

    @Test func extendedMissingBecomeSystemMissingInSPSS() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try ReadStatReader.read(path: ReadStatReaderTests.path("survey.dta")).dataset
        let out = dir.appendingPathComponent("from_stata.sav").path
        try SAVWriter.write(data, to: out)
        let q1 = try ReadStatReader.read(path: out).dataset.variable("q1")
        let original = try data.variable("q1")
        for i in 0..<q1.count {
            if original.values[i].isNaN { #expect(q1.values[i].isNaN && q1.extendedMissingTag(atRow: i) == nil) }
            else { #expect(q1.values[i] == original.values[i]) }
        }
        #expect(try ReadStatReader.read(path: out).dataset.variable("wt").format != "%9.2f")  // Stata format not carried into SPSS
    }

    @Test func invalidInputIsTypedErrorAndLeavesNoFile() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad1 = dir.appendingPathComponent("bad1.sav").path
        let data1 = try Dataset(variables: [Variable(name: "1st", values: [1, 2])])
        #expect(throws: ReadStatError.self) { try SAVWriter.write(data1, to: bad1) }
        #expect(!FileManager.default.fileExists(atPath: bad1))
        let bad2 = dir.appendingPathComponent("bad2.sav").path
        let data2 = try Dataset(variables: [Variable(name: "q", values: [1, 2], missing: MissingValues(codes: [6, 7, 8, 9]))])
        #expect(throws: ReadStatError.self) { try SAVWriter.write(data2, to: bad2) }
        #expect(!FileManager.default.fileExists(atPath: bad2))
        #expect(throws: ReadStatError.self) { try SAVWriter.write(data2, to: "/nonexistent-dir/x.sav") }
    }

    /// Regenerates Fixtures/readstat/written_by_barometer.sav when
    /// BAROMETER_WRITE_SAV_REFERENCE is set to a path (then run make_readstat.py).
    @Test func writeReferenceFileOnRequest() throws {
        guard let path = ProcessInfo.processInfo.environment["BAROMETER_WRITE_SAV_REFERENCE"] else { return }
        try SAVWriter.write(try source(), to: path, fileLabel: "Барометр")
    }
}
