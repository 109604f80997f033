// libFuzzer harness for the ReadStat readers (see Fuzz/run_readstat_fuzz.sh).
// Each input is written to a scratch file and read with the format its magic
// bytes indicate (else one chosen by its length). Any ReadStatError is fine;
// a trap, an ASan report or a hang is a bug.
import Foundation

let scratch = "/dev/shm/barometer-readstat-fuzz-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func readStatFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard FileManager.default.createFile(atPath: scratch, contents: bytes) else { return 0 }
    let head = [UInt8](bytes.prefix(1024))
    let formats = ReadStatFormat.allCases
    let format = ReadStatFormat.detect(head) ?? formats[size % formats.count]
    for encoding in [nil, "WINDOWS-1251"] as [String?] {
        if let file = try? ReadStatReader.read(path: scratch, format: format, options: ReadStatOptions(encoding: encoding)) {
            // Touch what a command would touch.
            for v in file.dataset.variables {
                _ = CategoryCoding(v)
                for i in 0..<min(v.count, 64) { _ = v.extendedMissingTag(atRow: i); _ = v.status(atRow: i) }
            }
        }
    }
    return 0
}
