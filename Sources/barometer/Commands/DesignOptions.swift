import ArgumentParser
import Barometer

extension LonelyPSURule: ExpressibleByArgument {}
extension ReplicateMethod: ExpressibleByArgument {}

/// Survey-design options shared by every estimating command (R `svydesign`
/// / `svrepdesign` arguments). Without them the design is weights-only.
struct DesignOptions: ParsableArguments {
    @Option(name: .long, help: "Stratum variable.") var strata: String?
    @Option(name: .long, help: "Primary sampling unit (cluster) variable.") var psu: String?
    @Option(name: .long, help: "Finite-population correction: population PSUs per stratum, or the sampling fraction. With --repweights (jk1, jkn) it is folded into the scale / rscales as R as.svrepdesign does.") var fpc: String?
    @Flag(name: .long, help: "PSU ids restart within strata.") var nest = false
    @Option(name: .customLong("lonely-psu"), help: "Single-PSU strata: fail, remove, adjust, average, certainty.") var lonelyPSU: LonelyPSURule = .fail
    @Option(name: .long, help: "Regular expression selecting replicate-weight variables (R svrepdesign's repweights).") var repweights: String?
    @Option(name: .long, help: "Replicate method: jk1, jkn, brr, fay, bootstrap, sdr, other.") var repmethod: ReplicateMethod?
    @Option(name: .customLong("fay-rho"), help: "Fay's ρ for --repmethod fay.") var fayRho: Double?
    @Option(name: .customLong("rep-scale"), help: "Override the replicate method's scale factor.") var repScale: Double?
    @Flag(name: .customLong("rep-factors"), help: "Replicate columns are factors to multiply by the weight, not full weights.") var repFactors = false
    @Flag(name: .long, help: "Centre replicate variances at the full-sample estimate (mse).") var mse = false
    @OptionGroup var weighting: WeightingCLIOptions

    /// Whether anything beyond weights was specified.
    var isSpecified: Bool { strata != nil || psu != nil || fpc != nil || repweights != nil }

    func validate() throws {
        if repweights != nil && repmethod == nil { throw ValidationError("--repweights needs --repmethod") }
        if repweights != nil && psu != nil {
            throw ValidationError("give either --repweights or --psu, not both")
        }
        if repweights != nil && fpc != nil && repScale != nil {
            throw ValidationError("give either --fpc or --rep-scale with --repweights, not both")
        }
    }

    /// The design these options describe over `data`, weighted to `--targets` when given.
    /// `partial`: `data` is a shard of `barometer partial` (JKn rscales derived from the
    /// strata are left to `merge`).
    func design(_ data: Dataset, weight: String?, partial: Bool = false) throws -> SurveyDesign {
        let base = try baseDesign(data, weight: weight, partial: partial)
        return try weighting.weighted(base)?.design ?? base
    }

    /// The design before weighting to targets.
    func baseDesign(_ data: Dataset, weight: String?, partial: Bool = false) throws -> SurveyDesign {
        if let pattern = repweights, let method = repmethod {
            let regex: Regex<AnyRegexOutput>
            do { regex = try Regex(pattern) } catch { throw ValidationError("--repweights: invalid regular expression '\(pattern)'") }
            let columns = data.variableNames.filter { $0.firstMatch(of: regex) != nil && $0 != (weight ?? data.weightVariable) && $0 != fpc }
            guard !columns.isEmpty else { throw ValidationError("--repweights '\(pattern)' matches no variable") }
            return try SurveyDesign(data: data, weight: weight, replicateColumns: columns, method: method,
                                    combined: !repFactors, scale: repScale, fayRho: fayRho, mse: mse, strata: strata, fpc: fpc,
                                    partial: partial)
        }
        return try SurveyDesign(data: data, weight: weight, strata: strata, clusters: psu, fpc: fpc, nest: nest,
                                lonelyPSU: lonelyPSU)
    }
}
