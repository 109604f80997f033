import ArgumentParser
import Barometer
import BarometerIO

extension WeightingMethod: ExpressibleByArgument {}

/// Weighting options shared by `weight` and every estimating command (through
/// ``DesignOptions``): weight to targets, then estimate on the calibrated design.
struct WeightingCLIOptions: ParsableArguments {
    @Option(name: .long, help: "Target file (JSON, or CSV 'variable,category,target'): weight to these margins before estimating.")
    var targets: String?
    @Option(name: .long, help: "Weighting method: rake (IPF, default), linear (GREG), raking, logit (needs --bounds), poststrat.")
    var calibration: WeightingMethod = .rake
    @Option(name: .long, help: "Bounds L,U on the g-weights w/d for linear, raking and logit calibration.")
    var bounds: String?
    @Option(name: .long, help: "Convergence: max |achieved − target| share over all margin categories (default 1e-7).")
    var epsilon: Double = 1e-7
    @Option(name: .customLong("max-iterations"), help: "Iteration limit (default: 1000 for rake, 50 for calibration).")
    var maxIterations: Int?
    @Flag(name: .customLong("allow-nonconvergence"), help: "Return weights flagged as not converged instead of failing.")
    var allowNonConvergence = false
    @Option(name: .long, help: "Trim the weights to L,U (R trimWeights; either side may be empty, e.g. ',40').")
    var trim: String?
    @Option(name: .customLong("trim-cap"), help: "Cap the weights at this multiple of the mean weight (anesrake's cap).")
    var trimCap: Double?
    @Flag(name: .customLong("trim-strict"), help: "Repeat trimming until no weight is outside the bounds (R strict = TRUE).")
    var trimStrict = false
    @Flag(name: .long, help: "After trimming, rake again, alternating until the weights are within the bounds and meet the targets.")
    var rerake = false

    func validate() throws {
        if targets == nil && (bounds != nil || trim != nil || trimCap != nil || rerake || trimStrict || calibration != .rake) {
            throw ValidationError("--calibration, --bounds and --trim options need --targets")
        }
    }

    static func pair(_ text: String, _ option: String, allowEmpty: Bool) throws -> (Double?, Double?) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw ValidationError("\(option) takes two numbers L,U (got '\(text)')") }
        func value(_ s: String) throws -> Double? {
            if s.isEmpty && allowEmpty { return nil }
            guard let x = Double(s), !x.isNaN else { throw ValidationError("\(option): '\(s)' is not a number") }
            return x
        }
        return (try value(parts[0]), try value(parts[1]))
    }

    /// The engine options these flags describe.
    func options() throws -> WeightingOptions {
        var b: (lower: Double, upper: Double)? = nil
        if let text = bounds {
            let (l, u) = try Self.pair(text, "--bounds", allowEmpty: false)
            b = (l ?? -.infinity, u ?? .infinity)
        }
        var trimming: WeightTrimming? = nil
        if trim != nil || trimCap != nil {
            let (l, u) = try trim.map { try Self.pair($0, "--trim", allowEmpty: true) } ?? (nil, nil)
            trimming = WeightTrimming(lower: l, upper: u, capRatio: trimCap, strict: trimStrict, rerake: rerake)
        } else if trimStrict || rerake {
            throw ValidationError("--trim-strict and --rerake need --trim or --trim-cap")
        }
        return WeightingOptions(method: calibration, bounds: b, epsilon: epsilon, maxIterations: maxIterations,
                                allowNonConvergence: allowNonConvergence, trimming: trimming)
    }

    /// `design` weighted to the targets (nil when no targets were given).
    func weighted(_ design: SurveyDesign, name: String = "calwt") throws -> WeightingResult? {
        guard let path = targets else { return nil }
        return try design.weighted(to: try TargetsLoader.load(path), options: try options(), name: name)
    }
}
