import Dispatch

/// Runs two independent computations at the same time (one on the caller's
/// thread, one on a Dispatch worker) and returns both results.
///
/// Each closure runs sequentially on one thread, so every number it computes
/// is the same whether one core or two are available; only the wall time
/// changes. Used where a few passes over the rows do not depend on each other
/// (e.g. coding Y and X of a share table, or a share table's design variance
/// beside its degrees of freedom and SRS variances).
package func concurrently<A: Sendable, B: Sendable>(_ a: @Sendable () -> A, _ b: @Sendable () -> B) -> (A, B) {
    let results = ResultPair<A, B>()
    DispatchQueue.concurrentPerform(iterations: 2) { i in
        if i == 0 { results.first = a() } else { results.second = b() }
    }
    // concurrentPerform returns after both iterations: both slots are set.
    guard let x = results.first, let y = results.second else { return (a(), b()) }
    return (x, y)
}

/// The two slots of ``concurrently(_:_:)``, each written by one iteration only.
private final class ResultPair<A, B>: @unchecked Sendable {
    var first: A?
    var second: B?
}
