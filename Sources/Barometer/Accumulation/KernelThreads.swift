import Foundation

/// The number of threads of the row kernels that split their work by replicate or
/// by row segment (the replicate products of ``DesignTotalsAccumulator``, dense and
/// grouped, and the replicate-weight rank sketch). Each of those kernels sums every
/// output in one fixed order on one thread, so its results do not depend on this
/// number; ``override`` lets the tests run them with 1, 2, 3 or 8 threads on any
/// machine and check that.
enum KernelThreads {
    /// Threads to use in place of the processor count (tests; nil: the processor count).
    @TaskLocal static var override: Int? = nil

    /// The threads for a kernel with `limit` independent parts: the processor count
    /// (or ``override``), at most 8 unless overridden, at most `limit`, at least 1.
    static func count(limit: Int) -> Int {
        let wanted = override ?? min(ProcessInfo.processInfo.activeProcessorCount, 8)
        return min(max(wanted, 1), max(limit, 1))
    }

    /// The workers of a kernel that takes an explicit worker count (tests pass one;
    /// nil: the processor count), capped at 8 and at `limit` independent parts, at least 1.
    static func workers(_ requested: Int?, limit: Int = .max) -> Int {
        min(max(requested ?? ProcessInfo.processInfo.activeProcessorCount, 1), 8, max(limit, 1))
    }
}
