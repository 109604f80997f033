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
}
