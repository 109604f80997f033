// libFuzzer harness for the weighting target files (see Fuzz/run_targets_fuzz.sh).
// Each input is parsed as a CSV and as a JSON target file; what parses is checked
// against a small dataset and used to rake it. Any BarometerError is fine; a trap,
// an ASan report or a hang is a bug.
import Foundation

let fuzzData: Dataset? = {
    let n = 40
    let sex = Variable(name: "sex", values: (0..<n).map { Double($0 % 2 + 1) }, valueLabels: [1: "Male", 2: "Female"])
    let age = Variable(name: "age", values: (0..<n).map { Double($0 % 3 + 1) }, valueLabels: [1: "18-29", 2: "30-54", 3: "55+"])
    let wt = Variable(name: "wt", values: (0..<n).map { 0.5 + Double($0 % 5) / 4 })
    return try? Dataset(variables: [sex, age, wt], weightVariable: "wt")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func targetsFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    for parsed in [try? TargetsLoader.parseCSV(bytes), try? TargetsLoader.parseJSON(bytes)] {
        guard let targets = parsed, let d = fuzzData, let design = try? SurveyDesign(data: d) else { continue }
        for method in [WeightingMethod.rake, .linear, .logit] {
            let bounds: (lower: Double, upper: Double)? = method == .logit ? (0.5, 2) : nil
            if let r = try? design.weighted(to: targets, options: WeightingOptions(method: method, bounds: bounds, maxIterations: 50)) {
                _ = r.report.textTable
            }
        }
    }
    return 0
}
