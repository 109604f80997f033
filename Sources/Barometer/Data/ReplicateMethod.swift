/// Replicate-weight variance methods, with R `survey::svrepdesign`'s
/// default scale factors (R = number of replicates):
///
/// | method | scale | rscales |
/// |---|---|---|
/// | `jk1` (delete-one-PSU jackknife) | (R − 1)/R | 1 |
/// | `jkn` (stratified jackknife) | 1 | (n_h − 1)/n_h of the stratum whose PSU is deleted |
/// | `brr` (balanced repeated replication) | 1/R | 1 |
/// | `fay` (Fay's BRR with ρ) | 1/(R (1 − ρ)²) | 1 |
/// | `bootstrap` | 1/(R − 1) | 1 |
/// | `sdr` (successive difference) | 4/R | 1 |
/// | `other` | given | given |
public enum ReplicateMethod: String, Sendable, Codable, CaseIterable {
    /// Delete-one jackknife, unstratified: scale (R − 1)/R (R `type = "JK1"`).
    case jk1
    /// Stratified delete-one jackknife: rscales (n_h − 1)/n_h per replicate's stratum (R `"JKn"`).
    case jkn
    /// Balanced repeated replication: scale 1/R (R `"BRR"`).
    case brr
    /// Fay's modified BRR with factor ρ: scale 1/(R(1 − ρ)²) (R `"Fay"`).
    case fay
    /// Bootstrap replicates: scale 1/(R − 1) (R `"bootstrap"`).
    case bootstrap
    /// Successive difference replication: scale 4/R (R `"successive-difference"`, the ACS method).
    case sdr
    /// Any other method: the scale and rscales are given explicitly (R `"other"`).
    case other
}
