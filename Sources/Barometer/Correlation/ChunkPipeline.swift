import Dispatch
import Foundation

/// Two-buffer streaming of row chunks: a filler thread prepares chunk k + 1 in
/// one buffer slot while the caller's thread consumes chunk k (a BLAS update,
/// which itself runs on the BLAS threads) from the other, so a memory-bound
/// fill overlaps a compute-bound product.
///
/// Chunks are filled in order and consumed in order, each by one thread, so
/// anything they sum keeps a fixed order whatever the thread count. With one
/// or two chunks there is nothing to overlap: each chunk is filled (with
/// `parallel: true`, the fill may spread columns over cores) and consumed on
/// the caller's thread, slot 0. If `consume` throws, the filler is stopped,
/// waited for, and the error rethrown; no buffer is touched after `run` returns.
enum ChunkPipeline {
    /// - Parameters:
    ///   - fill: `(chunk, slot, parallel)`; writes only slot `slot`'s buffers.
    ///   - consume: `(chunk, slot)`; reads slot `slot`'s buffers.
    static func run(chunkCount: Int, fill: @escaping @Sendable (_ chunk: Int, _ slot: Int, _ parallel: Bool) -> Void,
                    consume: (_ chunk: Int, _ slot: Int) throws(BarometerError) -> Void) throws(BarometerError) {
        guard chunkCount > 2 else {
            for k in 0..<chunkCount { fill(k, 0, true); try consume(k, 0) }
            return
        }
        let filled = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let emptied = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
        let finished = DispatchSemaphore(value: 0)
        let stop = StopFlag()
        DispatchQueue.global().async {
            for k in 0..<chunkCount {
                emptied[k % 2].wait()
                if stop.isSet { break }
                fill(k, k % 2, false)
                filled[k % 2].signal()
            }
            finished.signal()
        }
        for k in 0..<chunkCount {
            filled[k % 2].wait()
            do throws(BarometerError) {
                try consume(k, k % 2)
            } catch {
                // Release the filler wherever it waits (it checks `stop` after
                // every wait), then wait until it has left. Two extra signals per
                // slot cover every wait it can still make, so no semaphore ends
                // below its initial value.
                stop.set()
                for s in emptied { s.signal(); s.signal() }
                finished.wait()
                throw error
            }
            emptied[k % 2].signal()
        }
        finished.wait()
    }
}

/// A flag the consumer sets to stop the filler early.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
