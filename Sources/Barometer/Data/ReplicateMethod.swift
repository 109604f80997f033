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
    case jk1, jkn, brr, fay, bootstrap, sdr, other
}
