// libFuzzer harness for the model-formula parser (see Fuzz/run_formula_fuzz.sh).
// Each input is decoded as UTF-8 (invalid bytes repaired) and parsed; a parsed
// formula is printed back and parsed again. Any BarometerError is fine; a trap,
// an ASan report or a hang is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func formulaFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let f = try? ModelFormula(parsing: text) {
        _ = f.variables
        _ = try? ModelFormula(parsing: f.description)
    }
    return 0
}
