/// One measure of association as SPSS CROSSTABS reports it: the value, its
/// asymptotic standard error without assuming independence (ASE₁), the
/// standard error under the null hypothesis of independence (ASE₀) used for
/// the approximate T = value / ASE₀, and the two-sided normal significance.
///
/// For φ, Cramér's V and the contingency coefficient SPSS gives no ASE: the
/// significance is the Pearson χ² p-value and ``ase1``/``ase0``/``t`` are nil.
public struct AssociationEstimate: Sendable, Equatable, Codable {
    /// The measure.
    public let value: Double
    /// ASE₁, the non-null asymptotic standard error (delta method).
    public let ase1: Double?
    /// ASE₀, the standard error under independence.
    public let ase0: Double?
    /// Approximate T = value / ASE₀.
    public let t: Double?
    /// Approximate two-sided significance: `2(1 − Φ(|T|))`, or the Pearson
    /// χ² p-value for the χ²-based measures; nil when ASE₀ is 0 (no
    /// variation under the null: the test is undefined).
    public let pValue: Double?

    /// A measure with ASEs; the significance is computed from T (nil when
    /// ASE₀ is not positive).
    public init(value: Double, ase1: Double, ase0: Double) {
        self.value = value
        self.ase1 = ase1
        self.ase0 = ase0
        if ase0 > 0 {
            let t = value / ase0
            self.t = t
            self.pValue = 2 * Normal.sf(Swift.abs(t))
        } else {
            self.t = nil
            self.pValue = nil
        }
    }

    /// A χ²-based measure whose significance is that of Pearson's test.
    public init(value: Double, pValue: Double) {
        self.value = value
        self.ase1 = nil
        self.ase0 = nil
        self.t = nil
        self.pValue = pValue
    }

    /// A measure with an ASE₁ whose significance comes from elsewhere (a χ²
    /// approximation, as for Goodman and Kruskal's τ); no ASE₀ or T.
    public init(value: Double, ase1: Double, pValue: Double) {
        self.value = value
        self.ase1 = ase1
        self.ase0 = nil
        self.t = nil
        self.pValue = pValue
    }

    /// Asymptotic Wald interval `value ± z·ASE₁` with `z` the normal
    /// quantile for `level` (as SAS PROC FREQ CL); nil without an ASE₁.
    public func confidenceInterval(level: Double = 0.95) -> (lower: Double, upper: Double)? {
        guard let se = ase1, level > 0, level < 1 else { return nil }
        let z = Normal.quantile(0.5 + level / 2)
        return (value - z * se, value + z * se)
    }
}
