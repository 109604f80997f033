import Barometer
import BarometerIO
import Foundation
import Testing

/// Bad input to the ReadStat readers: typed errors, never a trap.
@Suite struct ReadStatErrorTests {
    static func path(_ file: String) -> String { Fixture.path("Fixtures/readstat/\(file)") }

    func readError(_ file: String, format: ReadStatFormat? = nil, options: ReadStatOptions = ReadStatOptions()) -> ReadStatError? {
        do {
            _ = try ReadStatReader.read(path: Self.path(file), format: format, options: options)
            return nil
        } catch { return error }
    }

    @Test func truncatedFileIsTypedError() {
        let e = readError("bad_truncated.sav")
        #expect(e != nil)
        if case .malformed? = e {} else if case .readFailed? = e {} else { Issue.record("unexpected \(String(describing: e))") }
        #expect(e?.file == Self.path("bad_truncated.sav"))
        #expect(readError("bad_truncated_data.sav") != nil)
    }

    @Test func wrongExtensionIsDetected() {
        #expect(throws: ReadStatError.extensionMismatch(file: Self.path("bad_wrong_extension.dta"), extension: "dta", detected: "sav")) {
            _ = try DatasetLoader.load(Self.path("bad_wrong_extension.dta"))
        }
        // Forcing the Stata reader on SPSS bytes is a parse error, not a crash.
        #expect(readError("bad_wrong_extension.dta", format: .dta) != nil)
    }

    @Test func randomBytesAreTypedErrors() {
        #expect(readError("bad_random.sav") != nil)
        #expect(readError("bad_random_magic.sav") != nil)
        for format in ReadStatFormat.allCases {
            #expect(readError("bad_random.sav", format: format) != nil, "\(format)")
        }
        #expect(throws: ReadStatError.unknownFormat(file: Self.path("bad_random.bin"))) {
            _ = try DatasetLoader.load(Self.path("bad_random.bin"))
        }
    }

    @Test func missingFileCannotBeOpened() {
        #expect(readError("no_such_file.sav") == .cannotOpen(file: Self.path("no_such_file.sav")))
    }

    @Test func everyTruncationOfEveryFixtureFailsCleanly() throws {
        // A cheap deterministic fuzz: each fixture cut at many lengths must
        // either read (a prefix that is itself complete) or throw a ReadStatError.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-trunc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in ["survey.sav", "survey.zsav", "survey.por", "survey.dta", "survey_cp1251.dta", "survey.xpt", "survey.sas7bdat"] {
            let bytes = try Data(contentsOf: Fixture.url("Fixtures/readstat/\(file)"))
            let step = max(1, bytes.count / 40)
            for cut in stride(from: 0, to: bytes.count, by: step) {
                let target = dir.appendingPathComponent("cut_\(cut)_\(file)")
                try bytes.prefix(cut).write(to: target)
                do {
                    let r = try ReadStatReader.read(path: target.path, options: ReadStatOptions(encoding: file.contains("1251") ? "WINDOWS-1251" : nil))
                    #expect(r.dataset.rowCount <= 12, "\(file) cut at \(cut)")
                } catch {
                    #expect(!error.description.isEmpty)
                }
            }
        }
    }

    @Test func fuzzerFindingsStayFixed() throws {
        // Inputs that crashed Tests/Fuzz/run_readstat_fuzz.sh once (Fixtures/fuzz/readstat).
        let dir = Fixture.url("Fixtures/fuzz/readstat")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(!files.isEmpty)
        for file in files {
            for format in ReadStatFormat.allCases {
                for encoding in [nil, "WINDOWS-1251"] as [String?] {
                    do {
                        _ = try ReadStatReader.read(path: dir.appendingPathComponent(file).path, format: format,
                                                    options: ReadStatOptions(encoding: encoding))
                    } catch {
                        #expect(!error.description.isEmpty)
                    }
                }
            }
        }
    }

    @Test func unknownEncodingIsTypedError() {
        let e = readError("survey_cp1251.dta", options: ReadStatOptions(encoding: "NO-SUCH-CODEPAGE"))
        if case .unsupportedEncoding? = e {} else { Issue.record("unexpected \(String(describing: e))") }
    }

    @Test func undecodableTextIsTypedError() {
        // Windows-1251 bytes are not UTF-8: claiming UTF-8 must fail, not produce U+FFFD.
        let e = readError("survey_cp1251.dta", options: ReadStatOptions(encoding: "UTF-8"))
        if case .undecodableText? = e {} else { Issue.record("unexpected \(String(describing: e))") }
    }

    @Test func codebookWithNonCSVIsRejected() {
        #expect(throws: BarometerError.self) {
            _ = try DatasetLoader.load(Self.path("survey.sav"), codebook: "x.json")
        }
    }
}
