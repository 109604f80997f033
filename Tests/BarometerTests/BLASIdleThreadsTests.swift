import Foundation
import Testing
@testable import Barometer

/// `BLASRuntime.parkIdleThreads()` (called by the CLI first thing in `main`) stops OpenBLAS's
/// idle workers; OpenBLAS starts them again at its next threaded call. The thread count and
/// every bit of a threaded product stay what they were. (The CLI-level agreement of every
/// kernel with the reference BLAS, `BLASEquivalenceTests`, runs through the parked workers
/// too, since every `barometer` process now parks them.)
@Suite(.serialized) struct BLASIdleThreadsTests {
    @Test func threadedProductsAreBitIdenticalAfterTheWorkersAreParked() throws {
        // 600 × 600 (2·600³ flops): large enough for OpenBLAS to split a dgemm over its threads.
        var g = SplitMix(seed: 21)
        func matrix() throws -> Matrix {
            try Matrix(rows: 600, columns: 600,
                       columnMajor: (0..<360_000).map { _ in Double(g.next() >> 11) / Double(1 << 53) - 0.5 })
        }
        let a = try matrix(), b = try matrix()
        let threads = BLASRuntime.threadCount
        let before = try LinearAlgebra.multiply(a, b, transposeB: true)
        let parked = BLASRuntime.parkIdleThreads()
        if BLASRuntime.openBLASConfig != nil { #expect(parked, "OpenBLAS without blas_thread_shutdown_ (not the pthreads build?)") }
        let after = try LinearAlgebra.multiply(a, b, transposeB: true)
        #expect(BLASRuntime.threadCount == threads)
        #expect(before.storage.map(\.bitPattern) == after.storage.map(\.bitPattern))
        // A second park right after a threaded call, and another product: still the same bits.
        BLASRuntime.parkIdleThreads()
        let again = try LinearAlgebra.multiply(a, b, transposeB: true)
        #expect(before.storage.map(\.bitPattern) == again.storage.map(\.bitPattern))
        // And the product is right: entry (i, j) is the dot product of row i of A and row j of B.
        for (i, j) in [(0, 0), (17, 599), (598, 3)] {
            var s = 0.0
            for k in 0..<600 { s += a.storage[k * 600 + i] * b.storage[k * 600 + j] }
            #expect(close(after.storage[j * 600 + i], s, rel: 1e-12, abs: 1e-12))
        }
    }

    /// `withSingleThreadedBLAS` while the workers are parked: OpenBLAS's own setter would start
    /// them (and each would spin ~0.1 s on a core), so the section sets the count without them and
    /// puts it back; they stay parked. Not parked, or without the direct setter: the library's
    /// setter, as before. Nested sections change the count once. (A model of OpenBLAS's
    /// behaviour, whose `goto_set_num_threads` calls `blas_thread_init` when `blas_server_avail` is 0.)
    @Test func singleThreadSectionsLeaveParkedWorkersParked() {
        final class Model: @unchecked Sendable {
            var count = 2, parked = true, starts = 0, librarySets = 0, directSets = 0, directWorks = true
        }
        func section(_ m: Model) -> SingleThreadSection {
            SingleThreadSection(.init(count: { m.count },
                                      set: { m.librarySets += 1; if m.parked { m.parked = false; m.starts += 1 }; m.count = $0 },
                                      parked: { m.parked },
                                      setParked: { n in guard m.directWorks else { return false }; m.directSets += 1; m.count = n; return true }))
        }
        let parked = Model(), s = section(parked)
        s.enter(); s.enter()
        #expect(parked.count == 1 && parked.parked)
        s.leave()
        #expect(parked.count == 1)
        s.leave()
        #expect(parked.count == 2 && parked.parked && parked.starts == 0 && parked.librarySets == 0 && parked.directSets == 2)

        let running = Model(); running.parked = false
        let r = section(running)
        r.enter(); #expect(running.count == 1); r.leave()
        #expect(running.count == 2 && running.librarySets == 2 && running.directSets == 0)

        let noDirect = Model(); noDirect.directWorks = false
        let d = section(noDirect)
        d.enter(); d.leave()
        #expect(noDirect.count == 2 && noDirect.librarySets == 2 && noDirect.starts == 1)

        let single = Model(); single.count = 1
        let o = section(single)
        o.enter(); o.leave()
        #expect(single.librarySets == 0 && single.directSets == 0 && single.parked)
    }

    /// The real OpenBLAS: its symbols for the parked path are there (Debian's pthreads build), and
    /// products inside a section entered with parked workers, and threaded ones after it, are the
    /// same product (to 1e-12: OpenBLAS's dgemm on one thread and on two need not share every bit,
    /// and other suites change the thread count concurrently).
    @Test func parkedSectionOnTheRealLibrary() throws {
        guard BLASRuntime.openBLASConfig != nil, BLASRuntime.threadCount > 1 else { return }
        #expect(BLASRuntime.symbol("blas_server_avail") != nil && BLASRuntime.symbol("blas_cpu_number") != nil)
        var g = SplitMix(seed: 22)
        let a = try Matrix(rows: 400, columns: 400, columnMajor: (0..<160_000).map { _ in Double(g.next() >> 11) / Double(1 << 53) })
        let before = try LinearAlgebra.multiply(a, a, transposeB: true)
        BLASRuntime.parkIdleThreads()
        let inside = try BLASRuntime.withSingleThreadedBLAS { try LinearAlgebra.multiply(a, a, transposeB: true) }
        let after = try LinearAlgebra.multiply(a, a, transposeB: true)
        for (x, y) in zip(inside.storage, before.storage) { #expect(close(x, y, rel: 1e-12, abs: 1e-12)) }
        for (x, y) in zip(after.storage, before.storage) { #expect(close(x, y, rel: 1e-12, abs: 1e-12)) }
    }
}
