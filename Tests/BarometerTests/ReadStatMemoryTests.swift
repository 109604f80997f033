import Barometer
import BarometerIO
import Foundation
import Testing

/// `ReadStatReader.read(bytes:)` (ReadStat's custom I/O handlers over a
/// buffer, used by the `readstat` fuzz harness) reads exactly what
/// `read(path:)` reads from the same bytes, and fails the same way.
@Suite struct ReadStatMemoryTests {
    @Test func memoryReadEqualsFileReadForEveryFixture() throws {
        for file in ["survey.sav", "survey.zsav", "survey.por", "survey.dta", "survey.sas7bdat", "survey.xpt",
                     "survey_tagged_labels.dta", "written_by_barometer.sav"] {
            let path = ReadStatReaderTests.path(file)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let a = try ReadStatReader.read(path: path)
            let b = try ReadStatReader.read(bytes: bytes, name: path, format: a.format)
            #expect(a.format == b.format && a.fileLabel == b.fileLabel && a.notes == b.notes, "\(file)")
            #expect(a.dataset.variableNames == b.dataset.variableNames && a.dataset.weightVariable == b.dataset.weightVariable, "\(file)")
            for v in a.dataset.variables {
                ColumnSelectionTests.expectSame(v, try b.dataset.variable(v.name), "\(file)")
            }
            // Projection works from memory too.
            let keep = Set([a.dataset.variableNames[0]])
            let part = try ReadStatReader.read(bytes: bytes, name: path, format: a.format, options: ReadStatOptions(columns: keep))
            #expect(part.dataset.variableNames == a.dataset.variableNames.filter { keep.contains($0) || $0 == a.dataset.weightVariable })
        }
    }

    @Test func memoryReadFailsAsTheFileReadFails() throws {
        for file in ["bad_random.sav", "bad_random_magic.sav", "bad_truncated.sav", "bad_truncated_data.sav"] {
            let path = ReadStatReaderTests.path(file)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            var fromFile: ReadStatError?, fromMemory: ReadStatError?
            do { _ = try ReadStatReader.read(path: path, format: .sav) } catch { fromFile = error }
            do { _ = try ReadStatReader.read(bytes: bytes, name: path, format: .sav) } catch { fromMemory = error }
            #expect(fromFile != nil && fromFile == fromMemory, "\(file): \(fromFile.map { "\($0)" } ?? "nil") vs \(fromMemory.map { "\($0)" } ?? "nil")")
        }
        #expect(throws: ReadStatError.unknownFormat(file: "(memory)")) { try ReadStatReader.read(bytes: Array("a,b\n".utf8)) }
    }
}
