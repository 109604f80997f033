/// One accumulator per statistic: the single data path behind the in-memory,
/// chunked (streamed) and merged (sharded) versions of an estimator.
///
/// An accumulator holds the sufficient statistics of its estimator (sums
/// that add: counts, Σw, Σw², per-PSU or per-replicate totals, centred
/// cross-products merged by the parallel-axis rule), so that
///
///     finalize(add(a) ∘ add(b)) = finalize(merge(add(a), add(b)))
///
/// up to rounding (and exactly for counts). Keys (categories, strata, PSUs)
/// are merged by key, never by position. The in-memory entry points
/// (``FrequencyTable``, ``ContingencyTable``, ``SurveyDesign/mean(_:domain:level:)``,
/// ``Correlation/matrix(_:variables:options:)`` for listwise Pearson,
/// ``MultipleResponseSet``) add the whole data as one chunk and finalize, so
/// they share the statistic's only implementation with the streamed and merged
/// paths. See `Sources/Barometer/Accumulation/` and the README section
/// "Large data and clusters".
public protocol StatisticAccumulator: Sendable {
    /// A block of rows in the form this accumulator reads.
    associatedtype Chunk
    /// The finalized result.
    associatedtype Output

    /// Adds the rows of `chunk`.
    mutating func add(_ chunk: Chunk) throws(BarometerError)
    /// Adds the rows another accumulator of the same statistic has seen.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when the two were
    ///   built for different variables, options or designs.
    mutating func merge(_ other: Self) throws(BarometerError)
    /// The result over every row added or merged so far.
    func finalize() throws(BarometerError) -> Output
}
