/// Sums that carry their own rounding error: each running sum is a pair
/// (`hi`, `lo`) whose exact sum is the running total to about 2⁻¹⁰⁶ relative
/// (double-double addition: Knuth's TwoSum for the new error, then the pair
/// renormalized so that `hi` is the double nearest `hi + lo`).
///
/// Used where many partial sums of one large total are added: the replicate
/// totals `Wᵣᵀ[Y X]` and the full-sample totals of ``DesignTotalsAccumulator``
/// (one partial sum per chunk, per shard). A replicate standard error is the
/// root of `Σᵣ (θᵣ − θ̄)²`, where θᵣ − θ̄ is about SE/θ ≈ 10⁻⁴–10⁻⁵ of θᵣ at
/// 10⁶–10⁷ rows, so a relative error of 10⁻¹⁵ in a total (hundreds of plainly
/// rounded chunk additions) becomes 10⁻¹¹ in the SE, and differs between
/// chunkings (in memory, streamed, sharded). With the error carried, every
/// total is the correctly rounded sum of its chunk sums (to within an ulp),
/// whatever their number and order. `hi` is always the value to read (state
/// files store only it); `lo` only improves later additions.
enum CompensatedSum {
    /// Adds `x` to the pair (`hi`, `lo`). Non-finite sums are kept as plain sums.
    @inline(__always)
    static func add(_ x: Double, to hi: inout Double, _ lo: inout Double) {
        let s = hi + x
        guard s.isFinite else { hi = s; lo = 0; return }
        let bb = s - hi
        let e = (hi - (s - bb)) + (x - bb)      // TwoSum: s + e = hi + x exactly
        let l = lo + e
        hi = s + l
        lo = l - (hi - s)                      // Fast2Sum (|s| ≥ |l|): hi + lo = s + l
    }

    /// Adds `values` (with their own errors `lowParts`, empty for none) element by
    /// element to `hi`, whose errors are in `lo` (empty for none yet: sized here).
    static func add(_ values: [Double], lowParts: [Double] = [], into hi: inout [Double],
                    _ lo: inout [Double]) throws(BarometerError) {
        guard values.count == hi.count, lowParts.isEmpty || lowParts.count == values.count else {
            throw .invalidArgument("sums of \(values.count) values added to \(hi.count)")
        }
        if lo.count != hi.count { lo = [Double](repeating: 0, count: hi.count) }
        for i in hi.indices {
            add(values[i], to: &hi[i], &lo[i])
            if !lowParts.isEmpty { add(lowParts[i], to: &hi[i], &lo[i]) }
        }
    }
}
