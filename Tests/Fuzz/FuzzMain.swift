// libFuzzer driver for every harness in FuzzTargets (Sources/BarometerFuzz):
// BAROMETER_FUZZ_TARGET names the one to run (see Tests/Fuzz/run_fuzz.sh).
// A typed error is fine; a trap, a sanitizer report, a hang or a broken
// invariant (the target returns its description) is a crash for libFuzzer.
import Foundation

let fuzzTarget: FuzzTargets.Target = {
    let name = ProcessInfo.processInfo.environment["BAROMETER_FUZZ_TARGET"] ?? ""
    guard let t = FuzzTargets.target(name) else {
        FileHandle.standardError.write(Data("BAROMETER_FUZZ_TARGET must be one of: \(FuzzTargets.all.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func barometerFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let broken = fuzzTarget.run(Data(bytes: data, count: size)) {
        FileHandle.standardError.write(Data("\(fuzzTarget.name): \(broken)\n".utf8))
        abort()
    }
    return 0
}
